/** The model versions a lock pins, in name order: what a deploy reports it rolled out. */
import type { Lock } from '../../../registry/lock.ts';

export interface PinnedModel {
  name: string;
  version: string;
  sha256: string;
}

export function pinnedModels(lock: Lock): PinnedModel[] {
  return Object.entries(lock.models)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, e]) => ({ name, version: e.version, sha256: e.sha256 }));
}
