/** Messages between the cluster primary and its workers (structured clone, `serialization: 'advanced'`). */
import type { Limits } from './app.ts';
import type { LoadFailure, VerifiedArtifact } from './loader.ts';
import type { Snapshot } from './metrics.ts';

/** The environment variable that carries a worker's configuration (JSON). */
export const WORKER_CONFIG_ENV = 'MLSHIP_SERVING_WORKER';

export interface WorkerConfig {
  port: number;
  host?: string;
  limits: Partial<Limits>;
  drainTimeoutMs: number;
  workers: number;
}

export type FromPrimary =
  | { type: 'models'; verified: VerifiedArtifact[]; failures: LoadFailure[] }
  | { type: 'drain' }
  | { type: 'metrics-collect'; id: number }
  | { type: 'metrics-result'; id: number; snapshot: Snapshot };

export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; error: string }
  | { type: 'metrics-request'; id: number }
  | { type: 'metrics-snapshot'; id: number; snapshot: Snapshot };
