/**
 * Every request, whatever answers it (a route, notFound, onError), is timed, counted in the
 * metrics and logged once, as one JSON line: method, path, route, model, version, rows, status,
 * ms, and the client's `X-Request-Id` when it is plain (nothing to escape in JSON).
 *
 * A wrapper around `fetch` rather than a Hono middleware (hono/request-id included): a middleware
 * makes every answer asynchronous, and node-server writes synchronous answers on a faster path.
 */
import type { Env } from './context.ts';
import { clip } from './errors.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export type Fetch = (request: Request, env?: object) => Response | Promise<Response>;

const REQUEST_ID = /^[\w.:/+=-]{1,128}$/;

/** `fetch` (Hono's, given the bindings with `info`), timed, counted and logged. */
export function logRequests(fetch: (request: Request, env: Env['Bindings']) => Response | Promise<Response>, logger: Logger, metrics: Metrics): Fetch {
  const observe = (request: Request, env: Env['Bindings'], res: Response, started: number): Response => {
    const ms = performance.now() - started;
    const { info } = env;
    const status = res.status;
    metrics.observe(info.route, info.model, status, ms / 1000, info.rows);
    const id = env.incoming ? env.incoming.headers['x-request-id'] : (request.headers.get('x-request-id') ?? undefined);
    let line = `"msg":"request","method":${JSON.stringify(request.method)},"path":${JSON.stringify(clip(pathOf(request.url), 200))},"route":"${info.route}"`;
    // model names and versions are [a-z0-9._-] (lock schema): nothing to escape
    if (info.model) line += `,"model":"${info.model}"${info.version ? `,"version":"${info.version}"` : ''}`;
    if (info.rows) line += `,"rows":${info.rows}`;
    line += `,"status":${status},"ms":${Math.round(ms * 1000) / 1000}`;
    if (typeof id === 'string' && REQUEST_ID.test(id)) line += `,"request_id":"${id}"`;
    logger.logFields(line);
    return res;
  };

  return (request, bindings) => {
    const started = performance.now();
    const env = (bindings ?? {}) as Env['Bindings'];
    env.info = { route: 'other', model: '', version: '', rows: 0 };
    const res = fetch(request, env);
    return res instanceof Promise ? res.then((r) => observe(request, env, r, started)) : observe(request, env, res, started);
  };
}

/** The path of a request URL (without the query). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}
