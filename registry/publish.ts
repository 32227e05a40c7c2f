/**
 * Publishing: put each artifact in the store (immutably) and pin it in the lock. The same library
 * call serves the command line (`mlship publish`), `npm start` and the GitHub Actions.
 */
import type { Artifact } from '../training/artifact.ts';
import { parseArtifact } from '../training/artifact.ts';
import { canonicalJson } from '../training/canonical-json.ts';
import { ArtifactError, MlshipError, describeError } from '../training/errors.ts';
import type { Lock } from './lock.ts';
import { emptyLock, entryFor, formatLock, loadLock, pinEntry, specPathFor, unpinEntry, writeLock } from './lock.ts';
import { ConflictError } from './store/errors.ts';
import type { ModelStore, PutOptions, PutStatus } from './store/types.ts';

/** An artifact to publish: its exact bytes, a label for errors (a path or URI), and the commit it was trained at. */
export interface PublishInput {
  bytes: Buffer;
  source: string;
  /** The commit trained (null: uncommitted changes); recorded in the lock and the object's metadata. */
  commit?: string | null;
}

export interface Published {
  source: string;
  name: string;
  version: string;
  status: PutStatus;
  uri: string;
  sha256: string;
  size: number;
  multipart: boolean;
}

export interface PublishFailure {
  source: string;
  name?: string;
  version?: string;
  /** `invalid`: the artifact was refused (bad input); `conflict`: the version holds other bytes; `store`: the store failed. */
  kind: 'invalid' | 'conflict' | 'store';
  error: string;
}

export type PublishOutcome = Published | PublishFailure;

export function isFailure(outcome: PublishOutcome): outcome is PublishFailure {
  return 'error' in outcome;
}

/** Validates and publishes one artifact; returns the parsed artifact with the store's answer. */
export async function publishArtifact(
  store: ModelStore,
  input: PublishInput,
  options: PutOptions = {},
): Promise<{ artifact: Artifact; result: Published }> {
  const artifact = parseArtifact(input.bytes, input.source);
  // A version names one byte string: other bytes that parse to the same artifact (reformatted,
  // unknown fields) would let two files carry one version, and racing publishers both "win".
  if (!Buffer.from(canonicalJson(artifact)).equals(input.bytes)) {
    throw new ArtifactError('is not in canonical form (the exact bytes training writes: sorted keys, no whitespace, no unknown fields, one trailing newline); publish the file training wrote', {
      file: input.source,
    });
  }
  const put = await store.put(artifact.name, artifact.version, input.bytes, { ...options, commit: input.commit ?? null });
  return {
    artifact,
    result: {
      source: input.source,
      name: artifact.name,
      version: artifact.version,
      status: put.status,
      uri: put.uri,
      sha256: put.sha256,
      size: put.size,
      multipart: put.multipart,
    },
  };
}

export interface PublishArtifactsOptions {
  store: ModelStore;
  /** The lock file to update (a missing one is created). Without it, only `lock` is updated and returned. */
  lockFile?: string;
  /** The lock to start from when there is no `lockFile` (default: empty). */
  lock?: Lock;
  /** Models to unpin (their folders were deleted). */
  remove?: string[];
  onProgress?: (source: string, progress: { loaded: number; total: number }) => void;
}

export interface PublishReport {
  outcomes: PublishOutcome[];
  lock: Lock;
  /** Whether the lock's text changed (and, with `lockFile`, was written). */
  lockChanged: boolean;
  /** Models unpinned. */
  removed: string[];
}

/**
 * Publishes each artifact and pins it in the lock. One artifact's failure does not stop the
 * others; the lock pins those that were published (or already were). The lock file is written
 * only when its text changes, so publishing the same artifacts again touches nothing.
 */
export async function publishArtifacts(inputs: PublishInput[], options: PublishArtifactsOptions): Promise<PublishReport> {
  const loaded = options.lockFile ? await loadLock(options.lockFile, { allowMissing: true }) : undefined;
  const before = loaded?.lock ?? options.lock ?? emptyLock();
  // Compared with the file's own text, so a v1 lock is written back as v2.
  const beforeText = loaded ? loaded.text : formatLock(before);
  let lock: Lock = before;
  const outcomes: PublishOutcome[] = [];
  const seen = new Map<string, string>();
  for (const input of inputs) {
    try {
      const artifact = parseArtifact(input.bytes, input.source);
      const earlier = seen.get(artifact.name);
      if (earlier !== undefined && earlier !== artifact.version) {
        throw new ArtifactError(`model "${artifact.name}" is given twice in one publish (versions ${earlier} and ${artifact.version})`, { file: input.source });
      }
      seen.set(artifact.name, artifact.version);
      const { result } = await publishArtifact(options.store, input, { onProgress: options.onProgress && ((p) => options.onProgress!(input.source, p)) });
      lock = pinEntry(lock, artifact.name, entryFor(artifact, result.sha256, { commit: input.commit ?? null, spec: specPathFor(artifact.name) }));
      outcomes.push(result);
    } catch (err) {
      if (!(err instanceof MlshipError)) throw err;
      const model = err instanceof ConflictError ? { name: err.model, version: err.version } : {};
      outcomes.push({
        source: input.source,
        ...model,
        kind: err instanceof ArtifactError ? 'invalid' : err instanceof ConflictError ? 'conflict' : 'store',
        error: describeError(err),
      });
    }
  }
  const removed = (options.remove ?? []).filter((name) => lock.models[name] !== undefined);
  for (const name of removed) lock = unpinEntry(lock, name);
  // Nothing pinned or unpinned is no write: a publish that failed leaves the file as it was (a v1
  // lock stays v1, a missing one is not created).
  const touched = removed.length > 0 || outcomes.some((o) => !isFailure(o));
  const lockChanged = touched && formatLock(lock) !== beforeText;
  if (lockChanged && options.lockFile) await writeLock(options.lockFile, lock);
  return { outcomes, lock, lockChanged, removed };
}
