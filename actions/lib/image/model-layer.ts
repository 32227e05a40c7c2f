/**
 * The model layer: every artifact the lock pins, at `/app/models/<name>/<version>/model.json`,
 * and the lock itself at `/app/models.lock.json`, byte for byte as committed (its bytes are in
 * the inputs tag). Each artifact is read from the store, which checks its sha256, and checked
 * again against its entry (`checkPinned`: a valid artifact with the entry's name, version and
 * task) before it goes in: an image never carries a model the server would refuse.
 */
import type { Lock } from '../../../registry/lock.ts';
import { checkPinned } from '../../../registry/pin.ts';
import type { ModelStore } from '../../../registry/store/types.ts';
import type { LayerFile } from '../oci/layer.ts';
import { LOCK_PATH, modelPath } from './paths.ts';

export interface PinnedArtifact {
  name: string;
  version: string;
  bytes: Uint8Array;
}

/** The pinned artifacts, verified, in name order (read all at once: a lock pins a handful). */
export async function fetchPinnedArtifacts(lock: Lock, store: ModelStore): Promise<PinnedArtifact[]> {
  return Promise.all(
    Object.keys(lock.models)
      .sort()
      .map(async (name) => {
        const entry = lock.models[name]!;
        const bytes = await store.get(name, entry.version, entry.sha256);
        checkPinned(name, entry, bytes, store.uriFor(name, entry.version));
        return { name, version: entry.version, bytes };
      }),
  );
}

export function modelLayerFiles(lockBytes: Uint8Array, artifacts: readonly PinnedArtifact[]): LayerFile[] {
  return [{ path: LOCK_PATH, bytes: lockBytes }, ...artifacts.map((a) => ({ path: modelPath(a.name, a.version), bytes: a.bytes }))];
}
