/** Loading what the lock pins, with the lifecycle log lines (the same in one process and in a cluster primary). */
import type { Lock } from '../registry/lock.ts';
import type { FetchArtifact, LoadOptions, LoadResult } from './loader.ts';
import { loadModels } from './loader.ts';
import type { Logger } from './log.ts';

/** Fetches, verifies and compiles every pinned model; `ready` when all of them are served. */
export async function loadPinned(lock: Lock, fetchArtifact: FetchArtifact, logger: Logger, load: Pick<LoadOptions, 'attempts' | 'retryDelayMs' | 'fetchTimeoutMs' | 'maxArtifactBytes'> = {}): Promise<LoadResult & { ready: boolean }> {
  if (Object.keys(lock.models).length === 0) logger.log({ level: 'warn', msg: 'the lock pins no models' });
  const result = await loadModels(lock, fetchArtifact, { ...load, log: (r) => logger.log(r) });
  if (result.failures.length === 0) {
    logger.log({ level: 'info', msg: 'ready', models: result.models.map((m) => `${m.name}@${m.version}`) });
    return { ...result, ready: true };
  }
  logger.log({
    level: 'error',
    msg: 'not ready: a pinned model did not verify or load, so it is not served',
    models: result.failures.map((f) => ({ model: f.name, version: f.entry.version, reason: f.reason })),
  });
  return { ...result, ready: false };
}
