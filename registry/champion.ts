/**
 * The champion: the version a lock (usually the base branch's) pins for a model, loaded from the
 * store and verified, so the training gate evaluates candidate and champion on the same holdout.
 */
import type { Artifact } from '../training/artifact.ts';
import type { Lock } from './lock.ts';
import { checkPinned } from './pin.ts';
import { NotFoundError } from './store/errors.ts';
import type { ModelStore } from './store/types.ts';

/**
 * The pinned artifact of `name`, or undefined when the lock does not pin the model. Throws
 * `NotFoundError` when the object is missing, `IntegrityError` when its sha256 is not the pinned
 * one, `PinMismatchError` when it is not a valid artifact of that name, version and task.
 */
export async function loadChampion(lock: Lock, name: string, store: ModelStore): Promise<Artifact | undefined> {
  const entry = lock.models[name];
  if (!entry) return undefined;
  const bytes = await store.get(name, entry.version, entry.sha256);
  return checkPinned(name, entry, bytes, store.uriFor(name, entry.version));
}

/** Champions for several models (those the lock pins), keyed by name, as `trainModels` takes them. */
export async function loadChampions(lock: Lock, names: Iterable<string>, store: ModelStore): Promise<Map<string, Artifact>> {
  const champions = new Map<string, Artifact>();
  for (const name of names) {
    const artifact = await loadChampion(lock, name, store);
    if (artifact) champions.set(name, artifact);
  }
  return champions;
}

/**
 * Champions for the given models where the store has them: those the lock pins but the store lacks
 * are listed in `missing` instead of failing (a local scratch store, or a fresh clone, has none yet).
 * Any other failure (a tampered object) still throws.
 */
export async function availableChampions(lock: Lock, names: Iterable<string>, store: ModelStore): Promise<{ champions: Map<string, Artifact>; missing: string[] }> {
  const champions = new Map<string, Artifact>();
  const missing: string[] = [];
  for (const name of names) {
    try {
      const artifact = await loadChampion(lock, name, store);
      if (artifact) champions.set(name, artifact);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing.push(name);
    }
  }
  return { champions, missing };
}
