/**
 * The smoke test after a rollout, against the service's URL: the server is ready
 * (`/v2/health/ready`, retried while the load balancer catches up), `/v1/models` serves exactly
 * the versions the lock pins, and each pinned model answers one prediction for a row built from
 * its own metadata (sample-row.ts). Returns what it found as data; never throws for an answer.
 */
import type { Lock } from '../../../registry/lock.ts';
import { sampleRow } from './sample-row.ts';
import type { FeatureInfo, InputTensor } from './sample-row.ts';
import { versionProblems } from './served-versions.ts';
import type { ServedModelInfo } from './served-versions.ts';

export interface SmokeCheck {
  check: 'ready' | 'versions' | 'predict';
  /** For `predict`: the model. */
  model?: string;
  ok: boolean;
  message: string;
}

export interface SmokeResult {
  ok: boolean;
  url: string;
  checks: SmokeCheck[];
}

export interface SmokeOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Readiness polls (default 30, 10 s apart: five minutes for targets to turn healthy). */
  readyAttempts?: number;
  readyIntervalMs?: number;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
}

type ModelsAnswer = { models: (ServedModelInfo & { features?: FeatureInfo[] })[] };
type Metadata = { inputs: InputTensor[] };

interface Answer {
  status: number;
  body: unknown;
}

type Call = (path: string, body?: unknown) => Promise<Answer>;

/** GET (or POST JSON) one path under the base URL; the body parsed as JSON when it is JSON. */
function caller(base: string, doFetch: typeof fetch, timeoutMs: number): Call {
  return async (path, body) => {
    const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const res = await doFetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: res.status, body: text };
    }
  };
}

/** `HTTP 503: <the server's error>` */
function why(a: Answer): string {
  const error = typeof a.body === 'object' && a.body !== null && 'error' in a.body ? `: ${String((a.body as { error: unknown }).error)}` : '';
  return `HTTP ${a.status}${error}`;
}

/** A fetch that failed (refused, timed out), with its cause: undici hides the useful part there. */
function failure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return `${err.name}: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
}

export async function smokeTest(url: string, lock: Lock, options: SmokeOptions = {}): Promise<SmokeResult> {
  const base = url.replace(/\/+$/, '');
  const call = caller(base, options.fetch ?? fetch, options.requestTimeoutMs ?? 10_000);
  const checks: SmokeCheck[] = [];
  const done = () => ({ ok: checks.every((c) => c.ok), url: base, checks });

  checks.push(await waitReady(call, base, options));
  if (!checks[0]!.ok) return done();
  const served = await servedModels(call);
  if ('check' in served) {
    checks.push(served);
    return done();
  }
  const problems = versionProblems(lock, served);
  const pinned = Object.keys(lock.models).sort();
  checks.push(
    problems.length === 0
      ? { check: 'versions', ok: true, message: `/v1/models serves exactly the ${pinned.length} pinned version${pinned.length === 1 ? '' : 's'}` }
      : { check: 'versions', ok: false, message: problems.join('; ') },
  );
  for (const name of pinned) {
    const info = served.find((m) => m.name === name);
    if (!info) continue; // said by the versions check
    checks.push(await predictOne(call, name, info.features ?? []));
  }
  return done();
}

/** Ready once `/v2/health/ready` answers 200: the load balancer may still send some requests to tasks that are starting. */
async function waitReady(call: Call, base: string, options: SmokeOptions): Promise<SmokeCheck> {
  const attempts = Math.max(1, options.readyAttempts ?? 30);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    let last: string;
    try {
      const a = await call('/v2/health/ready');
      if (a.status === 200) return { check: 'ready', ok: true, message: `${base}/v2/health/ready answered 200` };
      last = why(a);
    } catch (err) {
      last = failure(err);
    }
    if (attempt >= attempts) return { check: 'ready', ok: false, message: `${base}/v2/health/ready is not ready after ${attempts} attempts: ${last}` };
    await sleep(options.readyIntervalMs ?? 10_000);
  }
}

/** `GET /v1/models`, or the failed check saying why it could not be read. */
async function servedModels(call: Call): Promise<ModelsAnswer['models'] | SmokeCheck> {
  try {
    const a = await call('/v1/models');
    const models = (a.body as Partial<ModelsAnswer> | undefined)?.models;
    if (a.status === 200 && Array.isArray(models)) return models;
    return { check: 'versions', ok: false, message: `GET /v1/models answered ${why(a)}` };
  } catch (err) {
    return { check: 'versions', ok: false, message: `GET /v1/models failed: ${failure(err)}` };
  }
}

async function predictOne(call: Call, name: string, features: FeatureInfo[]): Promise<SmokeCheck> {
  const model = encodeURIComponent(name);
  try {
    const meta = await call(`/v2/models/${model}`);
    if (meta.status !== 200 || !Array.isArray((meta.body as Metadata | undefined)?.inputs)) return { check: 'predict', model: name, ok: false, message: `GET /v2/models/${name} answered ${why(meta)}` };
    const row = sampleRow((meta.body as Metadata).inputs, features);
    const answer = await call(`/v1/models/${model}:predict`, { instances: [row] });
    const predictions = (answer.body as { predictions?: unknown[] } | undefined)?.predictions;
    if (answer.status !== 200 || !Array.isArray(predictions) || predictions.length !== 1) {
      return { check: 'predict', model: name, ok: false, message: `POST /v1/models/${name}:predict with ${JSON.stringify(row)} answered ${why(answer)}` };
    }
    return { check: 'predict', model: name, ok: true, message: `predicts ${JSON.stringify(predictions[0])} for ${JSON.stringify(row)}` };
  } catch (err) {
    return { check: 'predict', model: name, ok: false, message: failure(err) };
  }
}
