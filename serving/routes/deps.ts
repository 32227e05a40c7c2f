/** What every route module is built from (one per app). */
import type { BodyBudget } from '../body.ts';
import type { Limits } from '../limits.ts';
import type { Metrics } from '../metrics.ts';
import type { ServingState } from '../state.ts';

export interface RouteDeps {
  state: ServingState;
  limits: Limits;
  metrics: Metrics;
  /** Takes an in-flight slot or throws the 429 (limits.ts). */
  admit: () => void;
  budget: BodyBudget;
  /** The server's version (`GET /v2`, OpenAPI). */
  version: string;
  /** Prometheus text for `/metrics`: this process's, or every worker's sum; undefined when `/metrics` is served on a port of its own. */
  metricsText: (() => Promise<string>) | undefined;
  /** The model repository's web address, for commit and file links on the page (none: no links). */
  repositoryUrl?: string;
}
