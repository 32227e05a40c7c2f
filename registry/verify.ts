/**
 * Verifying a lock against a store: every pinned artifact must be in the store under its key, and
 * be the one the lock pins (sha256, a valid artifact, the entry's name, version and task). The
 * deploy runs this before building an image; `mlship verify` is the same call.
 */
import { MlshipError, describeError } from '../training/errors.ts';
import type { Lock } from './lock.ts';
import { checkPinned } from './pin.ts';
import { IntegrityError, NotFoundError } from './store/errors.ts';
import type { ModelStore } from './store/types.ts';

export interface ModelVerification {
  name: string;
  version: string;
  /** Where the store keeps the pinned version. */
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
  const uri = store.uriFor(name, entry.version);
  const report: ModelVerification = { name, version: entry.version, uri, ok: false, problems: [] };
  try {
    const bytes = await store.get(name, entry.version, entry.sha256);
    checkPinned(name, entry, bytes, uri);
    report.ok = true;
  } catch (err) {
    if (!(err instanceof MlshipError)) throw err;
    if (err instanceof IntegrityError) report.sha256 = { expected: err.expected, actual: err.actual };
    report.problems.push(err instanceof NotFoundError ? `model "${name}" version ${entry.version} is missing from the store (${uri})` : describeError(err));
  }
  return report;
}
