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
type Metadata = { inputs: InputTensor[]; versions?: string[] };

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
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const checks: SmokeCheck[] = [];
  const done = () => ({ ok: checks.every((c) => c.ok), url: base, checks });

  const attempts = Math.max(1, options.readyAttempts ?? 30);
  let last: string;
  for (let attempt = 1; ; attempt++) {
    try {
      const a = await call('/v2/health/ready');
      if (a.status === 200) {
        checks.push({ check: 'ready', ok: true, message: `${base}/v2/health/ready answered 200` });
        break;
      }
      last = why(a);
    } catch (err) {
      last = failure(err);
    }
    if (attempt >= attempts) {
      checks.push({ check: 'ready', ok: false, message: `${base}/v2/health/ready is not ready after ${attempts} attempts: ${last}` });
      return done();
    }
    await sleep(options.readyIntervalMs ?? 10_000);
  }

  let served: ModelsAnswer['models'];
  try {
    const a = await call('/v1/models');
    if (a.status !== 200 || !Array.isArray((a.body as ModelsAnswer | undefined)?.models)) throw new Error(`GET /v1/models answered ${why(a)}`);
    served = (a.body as ModelsAnswer).models;
  } catch (err) {
    checks.push({ check: 'versions', ok: false, message: failure(err) });
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
