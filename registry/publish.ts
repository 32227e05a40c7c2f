/**
 * Publishing: put each artifact in the store (immutably) and pin it in the lock. The same library
 * call serves the command line (`mlship publish`), `npm start` and the GitHub Actions.
 */
import type { Artifact } from '../training/artifact.ts';
import { parseArtifact } from '../training/artifact.ts';
import { ArtifactError, MlshipError, describeError } from '../training/errors.ts';
import type { Lock } from './lock.ts';
import { entryFor, formatLock, readLock, setEntry, writeLock } from './lock.ts';
import { ConflictError } from './store/errors.ts';
import type { ModelStore, PutOptions, PutStatus } from './store/types.ts';

/** An artifact to publish: its exact bytes, and a label for errors (a path or URI). */
export interface PublishInput {
  bytes: Buffer;
  source: string;
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

/** The spec path a lock entry records for a model. */
export function specPathFor(name: string): string {
  return `models/${name}/model.yaml`;
}

/** Validates and publishes one artifact; returns the parsed artifact with the store's answer. */
export async function publishArtifact(
  store: ModelStore,
  input: PublishInput,
  options: PutOptions = {},
): Promise<{ artifact: Artifact; result: Published }> {
  const artifact = parseArtifact(input.bytes, input.source);
  const put = await store.put(artifact.name, artifact.version, input.bytes, options);
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
  onProgress?: (source: string, progress: { loaded: number; total: number }) => void;
}

export interface PublishReport {
  outcomes: PublishOutcome[];
  lock: Lock;
  /** Whether the lock's text changed (and, with `lockFile`, was written). */
  lockChanged: boolean;
}

/**
 * Publishes each artifact and pins it in the lock. One artifact's failure does not stop the
 * others; the lock pins those that were published (or already were). The lock file is written
 * only when its text changes, so publishing the same artifacts again touches nothing.
 */
export async function publishArtifacts(inputs: PublishInput[], options: PublishArtifactsOptions): Promise<PublishReport> {
  const before = options.lockFile ? await readLock(options.lockFile, { allowMissing: true }) : (options.lock ?? { lockfileVersion: 1, models: {} });
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
      lock = setEntry(lock, artifact.name, entryFor(artifact, result.uri, result.sha256, specPathFor(artifact.name)));
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
  const lockChanged = formatLock(lock) !== formatLock(before);
  if (lockChanged && options.lockFile) await writeLock(options.lockFile, lock);
  return { outcomes, lock, lockChanged };
}
