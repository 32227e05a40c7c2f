/**
 * `startServer`: serves what the lock pins, on every core: with one worker in this process
 * (in-process.ts), with more as a `node:cluster` primary (cluster/primary.ts).
 *
 * A library: it reads no environment or flags and installs no signal handlers. Its caller (the
 * command line, cli/commands/serve.ts) passes the version and the worker entry (the script a
 * cluster worker runs: it must call `runWorker`), and turns signals into `close()`.
 */
import { availableParallelism } from 'node:os';
import { startCluster } from './cluster/primary.ts';
import { ServeError } from './errors.ts';
import { startInProcess } from './in-process.ts';
import type { RunningServer, StartOptions } from './server-options.ts';

export { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PORT } from './server-options.ts';
export type { RunningServer, StartOptions } from './server-options.ts';

export function startServer(options: StartOptions): Promise<RunningServer> {
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  if (workers === 1) return startInProcess(options);
  if (!options.workerEntry) return Promise.reject(new ServeError(`${workers} workers need a worker entry (the script that runs each cluster worker)`));
  return startCluster(options, options.workerEntry, workers);
}
