/**
 * `startServer`: serves what the lock pins, on every core: with one worker in this process
 * (in-process.ts), with more as a `node:cluster` primary (cluster/primary.ts).
 *
 * A library: it reads no environment or flags and installs no signal handlers. Its caller (the
 * command line, cli/commands/serve.ts) passes the version and the worker entry (the script a
 * cluster worker runs: it must call `runWorker`), and turns signals into `close()`.
 */
import { availableParallelism } from 'node:os';
import type { Lock } from '../registry/lock.ts';
import { startCluster } from './cluster/primary.ts';
import { ServeError } from './errors.ts';
import { startInProcess } from './in-process.ts';
import type { Limits } from './limits.ts';
import type { FetchArtifact, LoadOptions } from './loader.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

export interface StartOptions {
  lock: Lock;
  fetchArtifact: FetchArtifact;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default: all interfaces. */
  host?: string;
  limits?: Partial<Limits>;
  /** Worker processes; default one per CPU. 1 serves from this process. */
  workers?: number;
  /** The script each cluster worker runs (it calls `runWorker`); needed for more than one worker. */
  workerEntry?: string;
  /** The server's version (`GET /v2`, OpenAPI); default 0.0.0. */
  version?: string;
  drainTimeoutMs?: number;
  /** Where JSON log lines go; default stdout. */
  write?: (text: string) => void;
  load?: Pick<LoadOptions, 'attempts' | 'retryDelayMs'>;
}

export interface RunningServer {
  port: number;
  workers: number;
  /** Resolves once loading is done: true when every pinned model is verified and served. */
  loaded: Promise<boolean>;
  /** Drains and stops; resolves when stopped. */
  close(): Promise<void>;
  /** Resolves when stopped. */
  closed: Promise<void>;
}

export function startServer(options: StartOptions): Promise<RunningServer> {
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  if (workers === 1) return startInProcess(options);
  if (!options.workerEntry) return Promise.reject(new ServeError(`${workers} workers need a worker entry (the script that runs each cluster worker)`));
  return startCluster(options, options.workerEntry, workers);
}
