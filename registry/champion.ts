/**
 * The champion: the version a lock (usually the base branch's) pins for a model, loaded from the
 * store and verified, so the training gate evaluates candidate and champion on the same holdout.
 */
import type { Artifact } from '../training/artifact.ts';
import { parseArtifact } from '../training/artifact.ts';
import { ArtifactError } from '../training/errors.ts';
import type { Lock } from './lock.ts';
import type { ModelStore } from './store/types.ts';

/**
 * The pinned artifact of `name`, or undefined when the lock does not pin the model. Throws
 * `NotFoundError` when the object is missing, `IntegrityError` when its sha256 is not the pinned
 * one, `ArtifactError` when it is not a valid artifact of that name and version.
 */
export async function loadChampion(lock: Lock, name: string, store: ModelStore): Promise<Artifact | undefined> {
  const entry = lock.models[name];
  if (!entry) return undefined;
  const bytes = await store.get(name, entry.version, entry.sha256);
  const artifact = parseArtifact(bytes, entry.uri);
  if (artifact.name !== name || artifact.version !== entry.version) {
    throw new ArtifactError(`the champion pinned for model "${name}" version ${entry.version} is ${artifact.name} ${artifact.version}`, { file: entry.uri });
  }
  return artifact;
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
