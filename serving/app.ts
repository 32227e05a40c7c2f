/**
 * The Hono app, assembled: Open Inference Protocol v2 (routes/v2.ts), the TF Serving / KServe v1
 * predict route (routes/v1.ts), the page, OpenAPI and metrics (routes/site.ts), the JSON 404/405
 * and error answers, and the request log around it all (request-log.ts). Testable with
 * `app.request`; `listenHttp` (http.ts) puts it behind node's HTTP server.
 *
 * Decisions (see also inputs.ts and csv.ts):
 * - Probabilities are asked for with `?probabilities=true`, `"parameters": {"probabilities": true}`
 *   (v1 and v2), or, in v2, by listing the `probabilities` output. v1 then answers
 *   `{"predictions": [...], "classes": [...], "probabilities": [[...], ...]}` (a row per instance, in
 *   `classes` order); v2 adds an FP64 `[rows, classes]` output named `probabilities`. Asking a
 *   regression model for probabilities is a 400.
 * - Row indexes in errors count from 0 (the index in `instances` / the tensor; the data row in CSV).
 * - Limits (limits.ts, body.ts): body bytes (413), rows per request (413), prediction requests in
 *   flight per process (429 with Retry-After), body bytes being read at once (503). A model still
 *   loading is a 503 with Retry-After; one that failed verification is a 503 that says why, and
 *   never served.
 */
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { allowedMethods } from './allowed-methods.ts';
import { BodyBudget } from './body.ts';
import type { Env } from './context.ts';
import { clip, RequestError } from './errors.ts';
import type { Limits } from './limits.ts';
import { DEFAULT_LIMITS, inflightGate } from './limits.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import { Metrics } from './metrics.ts';
import type { Fetch } from './request-log.ts';
import { logRequests } from './request-log.ts';
import type { JobsConfig } from './jobs/config.ts';
import { ownerIndex } from './jobs/api-keys.ts';
import type { RouteDeps } from './routes/deps.ts';
import { jobRoutes, requireKey } from './routes/jobs.ts';
import { siteRoutes } from './routes/site.ts';
import { v1Routes } from './routes/v1.ts';
import { v2Routes } from './routes/v2.ts';
import type { ServingState } from './state.ts';

export interface AppOptions {
  state: ServingState;
  limits?: Partial<Limits>;
  /** The server's version, for `GET /v2` and OpenAPI (the caller knows it; default 0.0.0). */
  version?: string;
  /** Request logs (one JSON line per request); default: stdout. */
  logger?: Logger;
  metrics?: Metrics;
  /** Every process's metrics as Prometheus text (a cluster worker asks the primary); default: this process's. */
  metricsText?: () => Promise<string>;
  /** The model repository's web address (`https://github.com/o/r`): the page links commits and files there. */
  repositoryUrl?: string;
  /** false: no `/metrics` route (it is served on a port of its own); default true. */
  serveMetrics?: boolean;
  /** Batch jobs (routes/jobs.ts); without it the job routes answer 503 saying how to turn them on. */
  jobs?: JobsConfig;
}

/**
 * The app: `fetch` (what @hono/node-server calls) and `request` (for tests), both logged and
 * counted; `hono` is the bare Hono app.
 */
export interface ServingApp {
  /** `env`: node-server's bindings (`{incoming, outgoing}`) or nothing. */
  fetch: Fetch;
  request(input: string, init?: RequestInit): Promise<Response>;
  hono: Hono<Env>;
  /** Closes what the app opened (the jobs database and queue); after the last request. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): ServingApp {
  const { state } = options;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? new Metrics();
  metrics.watch(state);
  const deps: RouteDeps = {
    state,
    limits,
    metrics,
    admit: inflightGate(metrics, limits.maxInflight),
    budget: new BodyBudget(limits.maxBufferedBytes, { timeoutMs: limits.bodyTimeoutMs, minBytesPerSecond: limits.minBodyBytesPerSecond }),
    version: options.version ?? '0.0.0',
    metricsText: options.serveMetrics === false ? undefined : (options.metricsText ?? (() => metrics.text())),
    repositoryUrl: options.repositoryUrl,
  };

  const app = new Hono<Env>();
  // With API keys, the predict routes need one too (only then: the middleware costs every request).
  const keys = options.jobs ? ownerIndex(options.jobs) : undefined;
  if (keys) {
    const guard: MiddlewareHandler<Env> = async (c, next) => {
      if (c.req.method === 'POST') requireKey(keys, c);
      await next();
    };
    app.use('/v1/models/*', guard);
    app.use('/v2/models/*', guard);
  }
  const jobs = jobRoutes(deps, options.jobs, keys, logger);
  app.route('/', jobs.app);
  app.route('/', v2Routes(deps));
  app.route('/', v1Routes(deps));
  app.route('/', siteRoutes(deps));
  const allowed = allowedMethods(app.routes);

  app.onError((err, c) => {
    if (err instanceof RequestError) return c.json(err.body(), err.status, err.headers);
    logger.log({ level: 'error', msg: 'internal error', path: clip(c.req.path, 200), error: String(err), stack: (err as Error).stack });
    return c.json({ error: 'internal error' }, 500);
  });

  app.notFound((c) => {
    const path = c.req.path;
    c.env.info.route = 'not_found';
    const methods = allowed(path);
    if (methods.length > 0) {
      const allow = methods.join(', ');
      return c.json({ error: `${c.req.method} is not allowed on ${clip(path, 200)}; use ${allow}` }, 405, { Allow: allow });
    }
    return c.json({ error: `no such route: ${c.req.method} ${clip(path, 200)} (see /openapi.json)` }, 404);
  });

  const fetch = logRequests((request, env) => app.fetch(request, env), logger, metrics);
  return {
    fetch,
    request: async (input, init) => fetch(new Request(/^https?:\/\//.test(input) ? input : `http://localhost${input.startsWith('/') ? '' : '/'}${input}`, init)),
    hono: app,
    close: jobs.close,
  };
}
