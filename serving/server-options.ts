/** What `startServer` takes and gives (shared by the in-process server and the cluster primary). */
import type { Lock } from '../registry/lock.ts';
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
  /** Serve `/metrics` on this port instead of `port` (0 picks a free one); then `port` answers 404 for it. */
  metricsPort?: number;
  limits?: Partial<Limits>;
  /** Worker processes; default one per CPU. 1 serves from this process. */
  workers?: number;
  /** The script each cluster worker runs (it calls `runWorker`); needed for more than one worker. */
  workerEntry?: string;
  /** The server's version (`GET /v2`, OpenAPI); default 0.0.0. */
  version?: string;
  drainTimeoutMs?: number;
  /** The model repository's web address: the web page links each model's commit and files there. */
  repositoryUrl?: string;
  /** Where JSON log lines go; default stdout. */
  write?: (text: string) => void;
  load?: Pick<LoadOptions, 'attempts' | 'retryDelayMs' | 'fetchTimeoutMs' | 'maxArtifactBytes'>;
}

export interface RunningServer {
  port: number;
  /** Where `/metrics` is served, when not on `port`. */
  metricsPort?: number;
  workers: number;
  /** Resolves once loading is done: true when every pinned model is verified and served. */
  loaded: Promise<boolean>;
  /** Drains and stops; resolves when stopped. */
  close(): Promise<void>;
  /** Resolves when stopped. */
  closed: Promise<void>;
}
