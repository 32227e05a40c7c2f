/**
 * Verifying a lock against a store: every pinned artifact must be where the lock says, have the
 * pinned sha256, parse as an artifact, and carry the entry's name, version and task. The deploy
 * runs this before building an image; `mlship verify` is the same call.
 */
import { parseArtifact } from '../training/artifact.ts';
import { MlshipError, describeError } from '../training/errors.ts';
import type { Lock } from './lock.ts';
import { IntegrityError, NotFoundError } from './store/errors.ts';
import { parseObjectUri } from './store/index.ts';
import type { ModelStore } from './store/types.ts';

export interface ModelVerification {
  name: string;
  version: string;
  uri: string;
  ok: boolean;
  /** Empty when `ok`. Each one sentence naming what is wrong. */
  problems: string[];
  /** Set when the bytes (or their recorded digest) do not match the pin. */
  sha256?: { expected: string; actual: string };
}

export interface LockVerification {
  ok: boolean;
  models: ModelVerification[];
}

export async function verifyLock(lock: Lock, store: ModelStore, options: { concurrency?: number } = {}): Promise<LockVerification> {
  const names = Object.keys(lock.models).sort();
  const models: ModelVerification[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      models[i] = await verifyEntry(lock, names[i]!, store);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, names.length)) }, worker));
  return { ok: models.every((m) => m.ok), models };
}

async function verifyEntry(lock: Lock, name: string, store: ModelStore): Promise<ModelVerification> {
  const entry = lock.models[name]!;
  const report: ModelVerification = { name, version: entry.version, uri: entry.uri, ok: false, problems: [] };
  const expectedUri = store.uriFor(name, entry.version);
  if (entry.uri !== expectedUri && !sameFileStoreKey(entry.uri, store, name, entry.version)) {
    report.problems.push(`model "${name}": the lock pins ${entry.uri}, but store ${store.uri} keeps version ${entry.version} at ${expectedUri}`);
    return report;
  }
  let bytes: Buffer;
  try {
    bytes = await store.get(name, entry.version, entry.sha256);
  } catch (err) {
    if (!(err instanceof MlshipError)) throw err;
    if (err instanceof IntegrityError) report.sha256 = { expected: err.expected, actual: err.actual };
    report.problems.push(err instanceof NotFoundError ? `model "${name}" version ${entry.version} is missing from the store (${entry.uri})` : describeError(err));
    return report;
  }
  try {
    const artifact = parseArtifact(bytes, entry.uri);
    if (artifact.name !== name) report.problems.push(`model "${name}": the artifact at ${entry.uri} is named "${artifact.name}"`);
    if (artifact.version !== entry.version) report.problems.push(`model "${name}": the artifact at ${entry.uri} is version ${artifact.version}, the lock pins ${entry.version}`);
    if (artifact.task !== entry.task) report.problems.push(`model "${name}": the artifact is a ${artifact.task} model, the lock says ${entry.task}`);
  } catch (err) {
    if (!(err instanceof MlshipError)) throw err;
    report.problems.push(`model "${name}": the pinned object is not a valid artifact: ${describeError(err)}`);
  }
  report.ok = report.problems.length === 0;
  return report;
}

/**
 * A file store's URIs are absolute paths of one machine (`npm start` writes them): in another
 * checkout the same lock names the same key under another folder. For file stores the key
 * (`models/<name>/<version>/model.json`) is what must match; the digest still decides.
 */
function sameFileStoreKey(uri: string, store: ModelStore, name: string, version: string): boolean {
  if (store.kind !== 'file' || !uri.startsWith('file://')) return false;
  try {
    const pinned = parseObjectUri(uri);
    return pinned.name === name && pinned.version === version;
  } catch {
    return false;
  }
}
