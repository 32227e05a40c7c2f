/** Messages between the cluster primary and its workers (structured clone, `serialization: 'advanced'`). */
import type { JobsConfig } from '../jobs/config.ts';
import type { Limits } from '../limits.ts';
import type { SharedModel } from '../model.ts';
import type { LoadFailure } from '../verify.ts';

export interface WorkerConfig {
  port: number;
  host?: string;
  metricsPort?: number;
  limits: Partial<Limits>;
  drainTimeoutMs: number;
  workers: number;
  version: string;
  repositoryUrl?: string;
  jobs?: JobsConfig;
}

export type FromPrimary =
  | { type: 'config'; config: WorkerConfig }
  /** What the primary verified and compiled, and what it could not serve. */
  | { type: 'models'; models: SharedModel[]; failures: LoadFailure[] }
  | { type: 'drain' }
  /** Every worker's metrics summed, or undefined when the primary could not gather them. */
  | { type: 'metrics-result'; id: number; text: string | undefined };

export type FromWorker =
  /** The worker listens for messages: the primary answers with its configuration. */
  | { type: 'started' }
  /** metricsPort: the one the workers share through cluster (port 0 picks it once). */
  | { type: 'listening'; port: number; metricsPort?: number }
  | { type: 'listen-error'; error: string }
  | { type: 'metrics-request'; id: number };
