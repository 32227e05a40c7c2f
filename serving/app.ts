/**
 * The Hono app: Open Inference Protocol v2, the TF Serving / KServe v1 predict route (JSON rows or
 * CSV), model listing, Prometheus metrics, OpenAPI and a web page. Testable with `app.request`;
 * `startServer` (server.ts) puts it behind node's HTTP server.
 *
 * Decisions (see also inputs.ts and csv.ts):
 * - Probabilities are asked for with `?probabilities=true`, `"parameters": {"probabilities": true}`
 *   (v1 and v2), or, in v2, by listing the `probabilities` output. v1 then answers
 *   `{"predictions": [...], "classes": [...], "probabilities": [[...], ...]}` (a row per instance, in
 *   `classes` order); v2 adds an FP64 `[rows, classes]` output named `probabilities`. Asking a
 *   regression model for probabilities is a 400.
 * - Row indexes in errors count from 0 (the index in `instances` / the tensor; the data row in CSV).
 * - Limits: body bytes (413, checked against Content-Length before reading, and while streaming
 *   a chunked body), rows per request (413), prediction requests in flight per process (429 with
 *   Retry-After). A model still loading is a 503 with Retry-After; one that failed verification is
 *   a 503 that says why, and never served.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { encodeCsv, formatCsv } from './csv.ts';
import { badRequest, clip, RequestError } from './errors.ts';
import type { EncodedRows } from './inputs.ts';
import { encodeInstances, encodeV2Inputs, tooManyRows, v2Rows } from './inputs.ts';
import type { Logger } from './log.ts';
import { createLogger } from './log.ts';
import type { Snapshot } from './metrics.ts';
import { Metrics, renderMetrics } from './metrics.ts';
import type { ServedModel } from './model.ts';
import { OUTPUT_PREDICTIONS, OUTPUT_PROBABILITIES } from './model.ts';
import { buildOpenApi } from './openapi.ts';
import { PAGE_CSP, renderPage } from './page.ts';
import { isPlainV1, probabilitiesQuerySchema, schemaError, v1EnvelopeSchema, v2EnvelopeSchema } from './schemas.ts';
import type { ServingState } from './state.ts';
import { notReadyReason } from './state.ts';

export interface Limits {
  /** Largest request body, in bytes (default 10 MiB). */
  maxBodyBytes: number;
  /** Most rows in one request (default 100,000). */
  maxRows: number;
  /** Most prediction requests being handled at once by one process (default 128). */
  maxInflight: number;
  /**
   * Most request-body bytes one process holds while reading bodies (default 64 MiB): without it,
   * `maxInflight` slow uploads of `maxBodyBytes` each could hold over a gigabyte.
   */
  maxBufferedBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 10 * 1024 * 1024, maxRows: 100_000, maxInflight: 128, maxBufferedBytes: 64 * 1024 * 1024 };

export const SERVER_NAME = 'mlship';
export const SERVER_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

export interface AppOptions {
  state: ServingState;
  limits?: Partial<Limits>;
  /** Request logs (one JSON line per request); default: stdout. */
  logger?: Logger;
  metrics?: Metrics;
  /** Every process's metrics (the cluster primary gathers them); default: this process's. */
  collectMetrics?: () => Promise<Snapshot>;
}

/** What the request log line and the metrics record about a request. */
interface RequestInfo {
  route: string;
  model: string;
  version: string;
  rows: number;
}

/** Per request: `info` is filled in by the handlers for the request log and metrics. */
type Env = { Bindings: { info: RequestInfo; incoming?: IncomingMessage } };

/**
 * The app: Hono's `fetch` (what @hono/node-server calls) and `request` (for tests), wrapped so
 * that every request, whatever answers it (a route, notFound, onError), is timed, counted and
 * logged once. (A wrapper rather than a Hono middleware: it keeps synchronous answers synchronous,
 * which node-server writes on a faster path, and costs less per request.)
 */
export interface ServingApp {
  /** `env`: node-server's bindings (`{incoming, outgoing}`) or nothing. */
  fetch(request: Request, env?: object): Response | Promise<Response>;
  request(input: string, init?: RequestInit): Promise<Response>;
  hono: Hono<Env>;
}

/** A client's x-request-id is logged when it is plain (nothing to escape in JSON). */
const REQUEST_ID = /^[\w.:/+=-]{1,128}$/;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** Known paths and their methods, to tell 405 from 404. */
const ROUTES: [RegExp, string][] = [
  [/^\/$/, 'GET'],
  [/^\/(metrics|openapi\.json|v2|v2\/health\/(live|ready)|v1\/models)$/, 'GET'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?(\/ready)?$/, 'GET'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/, 'POST'],
  [/^\/v1\/models\/[^/:]+(\/versions\/[^/:]+)?:[^/]*$/, 'POST'],
  [/^\/v1\/models\/[^/:]+$/, 'GET'],
];

export function createApp(options: AppOptions): ServingApp {
  const { state } = options;
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? new Metrics();
  const collect = options.collectMetrics ?? (async () => metrics.snapshot());
  let openApi: string | undefined;
  const app = new Hono<Env>();

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

  const fetch = (request: Request, bindings?: object): Response | Promise<Response> => {
    const started = performance.now();
    const env = (bindings ?? {}) as Env['Bindings'];
    env.info = { route: 'other', model: '', version: '', rows: 0 };
    const res = app.fetch(request, env);
    return res instanceof Promise ? res.then((r) => observe(request, env, r, started)) : observe(request, env, res, started);
  };

  app.onError((err, c) => {
    if (err instanceof RequestError) return c.json(err.body(), err.status, err.headers);
    logger.log({ level: 'error', msg: 'internal error', path: clip(c.req.path, 200), error: String(err), stack: (err as Error).stack });
    return c.json({ error: 'internal error' }, 500);
  });

  app.notFound((c) => {
    const path = c.req.path;
    const route = ROUTES.find(([re]) => re.test(path));
    c.env.info.route = 'not_found';
    if (route && route[1] !== c.req.method && !(route[1] === 'GET' && c.req.method === 'HEAD')) {
      return c.json({ error: `${c.req.method} is not allowed on ${clip(path, 200)}; use ${route[1]}` }, 405, { Allow: route[1] });
    }
    return c.json({ error: `no such route: ${c.req.method} ${clip(path, 200)} (see /openapi.json)` }, 404);
  });

  /** The served model, or a 404 (unknown name or version) / 503 (loading, or refused). */
  const lookup = (c: Context<Env>, name: string, version: string | undefined): ServedModel => {
    const model = state.models.get(name);
    if (model) {
      if (version !== undefined && version !== model.version) {
        throw new RequestError(404, `model "${name}" has no version "${clip(version)}" (serving version ${model.version})`, { model: name, version: clip(version, 100) });
      }
      const info = c.env.info;
      info.model = name;
      info.version = model.version;
      return model;
    }
    const failure = state.failures.get(name);
    if (failure) {
      c.env.info.model = name;
      throw new RequestError(503, `model "${name}" version ${failure.entry.version} is not served: ${failure.reason}`, { model: name, version: failure.entry.version });
    }
    if (state.loading) throw new RequestError(503, 'the pinned models are still loading', { model: clip(name, 100) }, { 'Retry-After': '1' });
    const known = [...state.models.keys()].sort();
    throw new RequestError(404, `no model named "${clip(name)}"${known.length ? ` (served: ${known.join(', ')})` : ' (the lock pins no models)'}`, { model: clip(name, 100) });
  };

  const allModels = () => {
    const out: { name: string; version: string; ready: boolean; error?: string; model?: ServedModel }[] = [];
    for (const m of state.models.values()) out.push({ name: m.name, version: m.version, ready: !state.draining, model: m });
    for (const f of state.failures.values()) out.push({ name: f.name, version: f.entry.version, ready: false, error: f.reason });
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  };

  // ---- health and metadata -------------------------------------------------------------------

  app.get('/v2/health/live', (c) => {
    c.env.info.route = 'health';
    return c.json({ live: true });
  });

  app.get('/v2/health/ready', (c) => {
    c.env.info.route = 'health';
    const reason = notReadyReason(state);
    return reason === undefined ? c.json({ ready: true }) : c.json({ ready: false, error: reason }, 503);
  });

  app.get('/v2', (c) => {
    c.env.info.route = 'metadata';
    return c.json({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [] });
  });

  const v2Metadata = (c: Context<Env>, version?: string) => {
    c.env.info.route = 'metadata';
    return c.json(lookup(c, c.req.param('name')!, version).metadata);
  };
  app.get('/v2/models/:name', (c) => v2Metadata(c));
  app.get('/v2/models/:name/versions/:version', (c) => v2Metadata(c, c.req.param('version')));

  const v2ModelReady = (c: Context<Env>, version?: string) => {
    c.env.info.route = 'health';
    const model = lookup(c, c.req.param('name')!, version);
    if (state.draining) return c.json({ name: model.name, ready: false, error: 'the server is draining (shutting down)' }, 503);
    return c.json({ name: model.name, ready: true });
  };
  app.get('/v2/models/:name/ready', (c) => v2ModelReady(c));
  app.get('/v2/models/:name/versions/:version/ready', (c) => v2ModelReady(c, c.req.param('version')));

  app.get('/v1/models', (c) => {
    c.env.info.route = 'metadata';
    return c.json({ models: allModels().map(modelInfo) });
  });

  app.get('/v1/models/:name', (c) => {
    c.env.info.route = 'metadata';
    const name = c.req.param('name');
    if (name.includes(':')) throw new RequestError(405, `GET is not allowed on ${clip(c.req.path, 200)}; use POST`, {}, { Allow: 'POST' });
    const found = allModels().find((m) => m.name === name);
    if (!found) lookup(c, name, undefined);
    return c.json(modelInfo(found!));
  });

  const modelInfo = (m: ReturnType<typeof allModels>[number]) => {
    if (m.model) return { ...m.model.info, ready: m.ready };
    const f = state.failures.get(m.name)!;
    return { name: m.name, version: f.entry.version, sha256: f.entry.sha256, task: f.entry.task, ready: false, error: f.reason, metrics: f.entry.metrics, source: f.entry.source };
  };

  app.get('/metrics', async (c) => {
    c.env.info.route = 'metrics';
    const snapshot = await collect();
    const text = renderMetrics(snapshot, {
      ready: notReadyReason(state) === undefined,
      models: allModels().map((m) => ({ name: m.name, version: m.version, ready: m.ready })),
      workers: state.workers,
    });
    return c.body(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

  app.get('/openapi.json', (c) => {
    c.env.info.route = 'openapi';
    openApi ??= JSON.stringify(buildOpenApi(SERVER_VERSION));
    return c.body(openApi, 200, JSON_HEADERS);
  });

  app.get('/', (c) => {
    c.env.info.route = 'page';
    const reason = notReadyReason(state);
    return c.html(renderPage(allModels(), { ready: reason === undefined, reason }), 200, {
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  // ---- predictions ---------------------------------------------------------------------------

  const budget = new BodyBudget(limits.maxBufferedBytes);

  /** Takes an in-flight slot for a prediction request, or refuses with 429; release with `metrics.inflight--`. */
  const admit = () => {
    if (metrics.inflight >= limits.maxInflight) {
      throw new RequestError(429, `too many requests in flight (limit ${limits.maxInflight} per process); retry shortly`, { limit: limits.maxInflight }, { 'Retry-After': '1' });
    }
    metrics.inflight++;
  };

  const predict = (model: ServedModel, encoded: EncodedRows, probabilities: boolean) => {
    const p = model.predictor;
    if (p.task === 'classification') {
      return { labels: p.classify(encoded.x, encoded.rows), probabilities: probabilities ? p.probabilities(encoded.x, encoded.rows) : undefined, values: undefined };
    }
    return { labels: undefined, probabilities: undefined, values: p.regress(encoded.x, encoded.rows) };
  };

  /** `name:verb` or `version:verb`, the last path segment of a v1 route. */
  const splitVerb = (segment: string): [string, string] => {
    const colon = segment.lastIndexOf(':');
    if (colon < 0) throw new RequestError(405, `POST needs the verb: …/${clip(segment)}:predict`, {}, { Allow: 'GET' });
    const verb = segment.slice(colon + 1);
    if (verb !== 'predict') throw new RequestError(404, `unsupported verb ":${clip(verb)}" (this server has :predict)`);
    return [segment.slice(0, colon), verb];
  };

  const v1Predict = async (c: Context<Env>, name: string, version: string | undefined) => {
    const info = c.env.info;
    info.route = 'v1_predict';
    const model = lookup(c, name, version);
    const kind = bodyKind(c, true);
    let wantProbabilities = queryProbabilities(c);
    admit();
    try {
      const text = await readText(c, limits.maxBodyBytes, budget);
      if (kind === 'csv') {
        const encoded = encodeCsv(model, text, limits.maxRows);
        info.rows = encoded.rows;
        checkProbabilities(model, wantProbabilities);
        const out = predict(model, encoded, wantProbabilities);
        return c.body(formatCsv(model, out.labels, out.values, out.probabilities), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      }
      const body = parseJson(text);
      const count = (body as { instances?: unknown })?.instances;
      if (Array.isArray(count) && count.length > limits.maxRows) throw tooManyRows(count.length, limits.maxRows);
      const parsed = isPlainV1(body) ? { success: true as const, data: body } : v1EnvelopeSchema.safeParse(body);
      if (!parsed.success) throw schemaError(parsed.error);
      info.rows = parsed.data.instances.length;
      if (parsed.data.parameters?.probabilities !== undefined) wantProbabilities ||= parsed.data.parameters.probabilities;
      checkProbabilities(model, wantProbabilities);
      const encoded = encodeInstances(model, parsed.data.instances);
      const out = predict(model, encoded, wantProbabilities);
      if (out.labels) {
        const classes = model.predictor.classes;
        const predictions = new Array<string>(encoded.rows);
        for (let r = 0; r < encoded.rows; r++) predictions[r] = classes[out.labels[r]!]!;
        if (!out.probabilities) return c.json({ predictions });
        const k = classes.length;
        const rows = new Array<number[]>(encoded.rows);
        for (let r = 0; r < encoded.rows; r++) rows[r] = Array.from(out.probabilities.subarray(r * k, r * k + k));
        return c.json({ predictions, classes, probabilities: rows });
      }
      return c.json({ predictions: Array.from(out.values!) });
    } finally {
      metrics.inflight--;
    }
  };

  app.post('/v1/models/:spec', (c) => {
    c.env.info.route = 'v1_predict';
    return v1Predict(c, splitVerb(c.req.param('spec'))[0], undefined);
  });
  app.post('/v1/models/:name/versions/:spec', (c) => {
    c.env.info.route = 'v1_predict';
    return v1Predict(c, c.req.param('name'), splitVerb(c.req.param('spec'))[0]);
  });

  const v2Infer = async (c: Context<Env>, version: string | undefined) => {
    const info = c.env.info;
    info.route = 'v2_infer';
    const model = lookup(c, c.req.param('name')!, version);
    bodyKind(c, false);
    const queryProbs = queryProbabilities(c);
    admit();
    try {
      const body = parseJson(await readText(c, limits.maxBodyBytes, budget));
      const parsed = v2EnvelopeSchema.safeParse(body);
      if (!parsed.success) throw schemaError(parsed.error);
      const request = parsed.data;
      const rows = v2Rows(request.inputs);
      if (rows > limits.maxRows) throw tooManyRows(rows, limits.maxRows);
      info.rows = rows;
      const requested = request.outputs?.map((o) => o.name);
      if (requested && new Set(requested).size !== requested.length) throw badRequest('field "outputs": an output is listed twice', { field: 'outputs' });
      const wantProbabilities = queryProbs || request.parameters?.probabilities === true || (requested?.includes(OUTPUT_PROBABILITIES) ?? false);
      checkProbabilities(model, wantProbabilities);
      const encoded = encodeV2Inputs(model, request.inputs);
      const out = predict(model, encoded, wantProbabilities);
      const outputs: unknown[] = [];
      if (!requested || requested.includes(OUTPUT_PREDICTIONS)) {
        if (out.labels) {
          const classes = model.predictor.classes;
          const data = new Array<string>(encoded.rows);
          for (let r = 0; r < encoded.rows; r++) data[r] = classes[out.labels[r]!]!;
          outputs.push({ name: OUTPUT_PREDICTIONS, datatype: 'BYTES', shape: [encoded.rows], data });
        } else {
          outputs.push({ name: OUTPUT_PREDICTIONS, datatype: 'FP64', shape: [encoded.rows], data: Array.from(out.values!) });
        }
      }
      if (out.probabilities) {
        outputs.push({ name: OUTPUT_PROBABILITIES, datatype: 'FP64', shape: [encoded.rows, model.predictor.classes.length], data: Array.from(out.probabilities) });
      }
      return c.json({ model_name: model.name, model_version: model.version, ...(request.id !== undefined ? { id: request.id } : {}), outputs });
    } finally {
      metrics.inflight--;
    }
  };
  app.post('/v2/models/:name/infer', (c) => v2Infer(c, undefined));
  app.post('/v2/models/:name/versions/:version/infer', (c) => v2Infer(c, c.req.param('version')));

  return {
    fetch,
    request: async (input, init) => fetch(new Request(/^https?:\/\//.test(input) ? input : `http://localhost${input.startsWith('/') ? '' : '/'}${input}`, init)),
    hono: app,
  };
}

/** A request header: node's parsed headers when serving over HTTP (cheaper than the Fetch Headers view). */
function header(c: Context<Env>, name: string): string | undefined {
  const incoming = c.env.incoming;
  if (incoming) {
    const v = incoming.headers[name];
    return typeof v === 'string' ? v : undefined;
  }
  return c.req.header(name);
}

/** The path of a request URL (without the query). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

function checkProbabilities(model: ServedModel, wanted: boolean): void {
  if (wanted && model.predictor.task !== 'classification') {
    throw badRequest(`model "${model.name}" is a regression model: it has no class probabilities`);
  }
}

function queryProbabilities(c: Context<Env>): boolean {
  if (!c.req.url.includes('?')) return false;
  const raw = c.req.query('probabilities');
  if (raw === undefined) return false;
  if (!probabilitiesQuerySchema.safeParse(raw).success) throw badRequest(`query "probabilities" must be true or false, got "${clip(raw)}"`, { field: 'probabilities' });
  return raw === 'true' || raw === '1';
}

/** JSON or CSV from the Content-Type (a missing one is taken as JSON); anything else is a 415. */
function bodyKind(c: Context<Env>, csvAllowed: boolean): 'json' | 'csv' {
  const value = header(c, 'content-type');
  if (value === 'application/json') return 'json';
  if (value === undefined || value.trim() === '') return 'json';
  const [type = '', ...params] = value.split(';');
  const media = type.trim().toLowerCase();
  const charset = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('charset='));
  const supported = csvAllowed ? 'application/json or text/csv' : 'application/json';
  if (charset !== undefined && !/^charset="?(utf-8|utf8|us-ascii)"?$/.test(charset)) {
    throw new RequestError(415, `unsupported ${clip(charset)}: send UTF-8`, { contentType: clip(value, 100) });
  }
  if (media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))) return 'json';
  if (csvAllowed && (media === 'text/csv' || media === 'application/csv')) return 'csv';
  const hint = media === 'application/x-www-form-urlencoded' ? " (curl -d sends this: add -H 'Content-Type: application/json')" : '';
  throw new RequestError(415, `unsupported content type "${clip(media)}": send ${supported}${hint}`, { contentType: clip(value, 100) });
}

const decoder = new TextDecoder();

function bodyTooLarge(bytes: number | undefined, limit: number): RequestError {
  return new RequestError(413, `request body too large: ${bytes === undefined ? 'more than' : `${bytes} bytes, over`} the limit of ${limit} bytes (send fewer rows per request)`, { limit }, { Connection: 'close' });
}

/**
 * The body as text, refusing more than `limit` bytes: before reading when the length is declared,
 * while reading when it is not (chunked). Over HTTP it is read straight from node's request stream
 * (the cheapest way); through `app.request` (tests) from the Fetch body.
 */
function readText(c: Context<Env>, limit: number, budget: BodyBudget): Promise<string> {
  const declared = header(c, 'content-length');
  if (declared !== undefined) {
    const n = Number(declared);
    if (!(n <= limit)) return Promise.reject(bodyTooLarge(Number.isFinite(n) ? n : undefined, limit));
  }
  const incoming = c.env.incoming;
  return incoming ? readIncoming(incoming, limit, budget) : readFetchBody(c, limit, budget);
}

/**
 * Request-body bytes this process holds while bodies are being read, across requests. A chunk
 * that would go over the budget fails its request with 503 and Retry-After: the server is busy
 * with large uploads, not broken, and memory stays bounded whatever clients do.
 */
class BodyBudget {
  private used = 0;
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  /** Reserves `n` more bytes for a body, or throws the 503. */
  take(n: number): void {
    if (this.used + n > this.max) {
      throw new RequestError(
        503,
        `the server is busy reading other large requests (over ${this.max} bytes of bodies at once); retry shortly`,
        { limit: this.max },
        { 'Retry-After': '1', Connection: 'close' },
      );
    }
    this.used += n;
  }
  give(n: number): void {
    this.used -= n;
  }
}

function readIncoming(incoming: IncomingMessage, limit: number, budget: BodyBudget): Promise<string> {
  if (incoming.readableEnded) return Promise.resolve(''); // already read to the end: nothing left
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      budget.give(total);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      try {
        if (total + chunk.length > limit) throw bodyTooLarge(undefined, limit);
        budget.take(chunk.length);
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      total += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString());
    };
    const onError = (err: Error) => {
      cleanup();
      reject(badRequest(`the request body could not be read (${clip(err.message, 100)})`));
    };
    const onClose = () => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(badRequest('the client closed the connection before the whole body arrived'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

async function readFetchBody(c: Context<Env>, limit: number, budget: BodyBudget): Promise<string> {
  let total = 0;
  try {
    const body = c.req.raw.body;
    if (!body) return '';
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > limit) {
        await reader.cancel().catch(() => undefined);
        throw bodyTooLarge(undefined, limit);
      }
      budget.take(value.byteLength);
      total += value.byteLength;
      chunks.push(value);
    }
    return decoder.decode(Buffer.concat(chunks));
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw badRequest(`the request body could not be read (${clip(String((err as Error)?.message ?? err), 100)})`);
  } finally {
    budget.give(total);
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) throw badRequest('the request body is empty: send a JSON document');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON: ${clip((err as Error).message, 200)}`);
  }
}

