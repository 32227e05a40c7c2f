// Fuzz: generated bad requests (random bytes, truncated and mutated JSON, wrong types, huge
// numbers, deep nesting, wrong content types, random paths and methods, bad CSV, bad tensors)
// must never get a 5xx, and every 4xx must be a JSON `{"error": "..."}`. 10,000 go through
// `app.request` (fast), 1,500 more over real HTTP against a listening server, plus raw bytes on
// TCP sockets that are not HTTP at all. Seeded, so a failure reproduces: the seed is in the message.
import { connect } from 'node:net';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServingApp } from '../../serving/app.ts';
import { storeSource } from '../../serving/loader.ts';
import { encodeV2Inputs } from '../../serving/inputs.ts';
import { isPlainV1, isPlainV2 } from '../../serving/plain-bodies.ts';
import { v1EnvelopeSchema, v2EnvelopeSchema } from '../../serving/schemas.ts';
import { readSingleRowV2 } from '../../serving/single-row-v2.ts';
import type { RunningServer } from '../../serving/server.ts';
import { startServer } from '../../serving/server.ts';
import type { Fixture } from './helpers.ts';
import { exampleApp, ROOT, spawnServe, writeFixture } from './helpers.ts';
import path from 'node:path';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const LIMITS = { maxRows: 500, maxBodyBytes: 256 * 1024, maxInflight: 64 };

/** mulberry32 */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const MODELS = ['iris', 'wine', 'diabetes', 'nope', '', 'IRIS', '..', 'iris%00', '%E0%A4%A', 'a'.repeat(300), '__proto__', 'constructor'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = [
  'application/json',
  'text/csv',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=latin1',
  'application/json; charset=utf-8',
  'text/csv; charset=utf-16',
  'application/vnd.x+json',
  'application/',
  ';;;',
  'json',
  '*/*',
  'application/json;charset',
];

function weird(r: Rng): unknown {
  const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);
  switch (r.int(26)) {
    case 0: return null;
    case 1: return r.next() * 1e308 * 10; // Infinity → serialises as null
    case 2: return -0;
    case 3: return Number.MAX_VALUE;
    case 4: return Number.MIN_VALUE;
    case 5: return 2 ** 53 + 1;
    case 6: return '';
    case 7: return 'x'.repeat(r.int(5000));
    case 8: return '\u0000\ud800\uffff';
    case 9: return true;
    case 10: return [];
    case 11: return {};
    case 12: return [[[[1]]]];
    case 13: return { __proto__: 1 };
    case 14: return JSON.parse(deep(200, '[', ']'));
    case 15: return 'NaN';
    case 16: return 'Infinity';
    case 17: return -1;
    case 18: return 1.5;
    case 19: return r.next() * 100;
    case 20: return { a: { b: { c: [] } } };
    case 21: return 'setosa';
    case 22: return [1, 2, 3, 4];
    case 23: return Array(r.int(20)).fill(1);
    case 24: return 1e-320;
    default: return r.int(10);
  }
}

function validV1(r: Rng): Record<string, unknown> {
  const rows = 1 + r.int(5);
  return {
    instances: Array.from({ length: rows }, () => (r.next() < 0.5 ? Object.fromEntries(FEATURES.map((f) => [f, r.next() * 8])) : FEATURES.map(() => r.next() * 8))),
    ...(r.next() < 0.3 ? { parameters: { probabilities: r.next() < 0.5 } } : {}),
  };
}

function validV2(r: Rng): Record<string, unknown> {
  const rows = 1 + r.int(5);
  return r.next() < 0.5
    ? { inputs: FEATURES.map((name) => ({ name, datatype: 'FP64', shape: [rows], data: Array.from({ length: rows }, () => r.next() * 8) })) }
    : { inputs: [{ name: 'input', datatype: 'FP64', shape: [rows, 4], data: Array.from({ length: rows * 4 }, () => r.next() * 8) }] };
}

/** Replaces a random place in a JSON value with something weird. */
function mutate(r: Rng, value: unknown, depth = 0): unknown {
  if (depth > 6 || r.next() < 0.25) return weird(r);
  if (Array.isArray(value)) {
    const copy = [...value];
    const op = r.int(4);
    if (op === 0 || copy.length === 0) copy.push(weird(r));
    else if (op === 1) copy.splice(r.int(copy.length), 1);
    else copy[r.int(copy.length)] = mutate(r, copy[r.int(copy.length)], depth + 1);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const op = r.int(4);
    if (op === 0 || keys.length === 0) copy[r.pick(['extra', '__proto__', 'constructor', 'inputs', 'instances', 'shape', 'data', 'datatype', 'name', 'outputs', 'parameters', ''])] = weird(r);
    else if (op === 1) delete copy[r.pick(keys)];
    else {
      const k = r.pick(keys);
      copy[k] = mutate(r, copy[k], depth + 1);
    }
    return copy;
  }
  return weird(r);
}

function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.int(256);
  return out;
}

function badCsv(r: Rng): string {
  const header = r.next() < 0.8 ? [...FEATURES].sort(() => r.next() - 0.5) : Array.from({ length: r.int(8) }, () => r.pick([...FEATURES, 'x', '', '"q"', 'a,b']));
  const cell = () =>
    r.pick(['1', '2.5', '-3e2', 'NaN', 'nan', 'Infinity', '-inf', '1e999', '', 'NA', 'null', '"4"', '"5', 'x"y', '""', 'true', ' 7 ', '\u0000', '0x10', '1_000', '١', String(r.next())]);
  const rows = Array.from({ length: r.int(12) }, () => Array.from({ length: header.length + (r.next() < 0.1 ? r.int(3) - 1 : 0) }, cell).join(r.next() < 0.95 ? ',' : ';'));
  const eol = r.pick(['\n', '\r\n', '\r', '\n\n']);
  let text = [header.join(','), ...rows].join(eol);
  if (r.next() < 0.2) text = text.slice(0, r.int(text.length + 1));
  if (r.next() < 0.1) text = `\ufeff${text}`;
  return text;
}

function badTensor(r: Rng): Record<string, unknown> {
  const base = validV2(r);
  const inputs = base.inputs as Record<string, unknown>[];
  const t = inputs[r.int(inputs.length)]!;
  switch (r.int(8)) {
    case 0: t.shape = r.pick([[], [-1], [1e20], [1, 2, 3], [0], [1.5], ['1'], [2 ** 31, 4]]); break;
    case 1: t.datatype = r.pick(['BYTES', 'BOOL', 'FP8', 'fp64', '', 'INT8', 'UINT64']); break;
    case 2: t.data = r.pick([[], null, 'abc', [[1, 2], [3]], [[[1]]], Array(1000).fill(1), [true, false], ['a', 'b']]); break;
    case 3: t.name = r.pick(['', 'x', 'petal_width', '__proto__', 'a'.repeat(1000)]); break;
    case 4: inputs.push({ ...t }); break;
    case 5: base.outputs = r.pick([[{ name: 'probabilities' }], [{ name: 'x' }], 'all', [{}], [{ name: 'predictions', parameters: { binary_data: true } }]]); break;
    case 6: base.parameters = r.pick([{ probabilities: 'yes' }, null, [], { binary_data_output: true }]); break;
    default: return mutate(r, base) as Record<string, unknown>;
  }
  return base;
}

function generate(r: Rng): FuzzRequest {
  const model = r.next() < 0.8 ? r.pick(['iris', 'wine', 'diabetes']) : r.pick(MODELS);
  const v1 = `/v1/models/${model}:predict`;
  const v2 = `/v2/models/${model}/infer`;
  const json = { 'content-type': 'application/json' };
  const q = r.next() < 0.15 ? `?probabilities=${r.pick(['true', 'false', '1', 'yes', '', '%ZZ', 'true&probabilities=false'])}` : '';
  switch (r.int(12)) {
    case 0:
      return { kind: 'random bytes', method: 'POST', path: r.pick([v1, v2]), headers: { 'content-type': r.pick(['application/json', 'text/csv']) }, body: randomBytes(r, r.int(2000)) };
    case 1: {
      const text = JSON.stringify(r.next() < 0.5 ? validV1(r) : validV2(r));
      return { kind: 'truncated JSON', method: 'POST', path: r.pick([v1, v2]) + q, headers: json, body: text.slice(0, r.int(text.length)) };
    }
    case 2:
      return { kind: 'mutated v1', method: 'POST', path: v1 + q, headers: json, body: JSON.stringify(mutate(r, validV1(r))) };
    case 3:
      return { kind: 'mutated v2', method: 'POST', path: v2 + q, headers: json, body: JSON.stringify(mutate(r, validV2(r))) };
    case 4: {
      const n = 1 + r.int(20000);
      const [open, close] = r.pick([['[', ']'], ['{"a":', '}'], ['{"instances":[', ']}']]);
      return { kind: 'deep nesting', method: 'POST', path: r.pick([v1, v2]), headers: json, body: `${open!.repeat(n)}1${close!.repeat(n)}` };
    }
    case 5:
      return {
        kind: 'huge numbers',
        method: 'POST',
        path: v1 + q,
        headers: json,
        body: `{"instances":[[${FEATURES.map(() => r.pick(['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.0000000000000000000001', '9'.repeat(400)])).join(',')}]]}`,
      };
    case 6:
      return { kind: 'wrong content type', method: 'POST', path: r.pick([v1, v2]), headers: { 'content-type': r.pick(CONTENT_TYPES) }, body: JSON.stringify(validV1(r)) };
    case 7: {
      const segs = Array.from({ length: r.int(6) }, () => r.pick(['v1', 'v2', 'models', model, 'versions', 'infer', 'ready', ':predict', 'health', 'live', '%2F', '..', '', 'metrics', 'x'.repeat(r.int(3000)), '%', '%%', '?', '#']));
      const method = r.pick(METHODS);
      return { kind: 'random path', method, path: `/${segs.join('/')}`, headers: method === 'POST' ? json : {}, body: method === 'POST' || method === 'PUT' || method === 'PATCH' ? JSON.stringify(weird(r)) : undefined };
    }
    case 8:
      return { kind: 'bad CSV', method: 'POST', path: v1 + q, headers: { 'content-type': 'text/csv' }, body: badCsv(r) };
    case 9:
      return { kind: 'bad tensor', method: 'POST', path: v2 + q, headers: json, body: JSON.stringify(badTensor(r)) };
    case 10: {
      // over the limits: too many rows, or a long body
      const rows = LIMITS.maxRows + 1 + r.int(50);
      return r.next() < 0.5
        ? { kind: 'too many rows', method: 'POST', path: v1, headers: json, body: JSON.stringify({ instances: Array(rows).fill([1, 2, 3, 4]) }) }
        : { kind: 'too large', method: 'POST', path: v1, headers: json, body: `{"instances":[${'[1,2,3,4],'.repeat(30_000)}[1,2,3,4]]}` };
    }
    default: {
      const method = r.pick(['GET', 'HEAD']);
      const path = r.pick(['/', '/metrics', '/openapi.json', '/v2', '/v2/health/live', '/v2/health/ready', `/v2/models/${model}`, `/v2/models/${model}/ready`, `/v2/models/${model}/versions/${r.pick(['x', '000000000000', ''])}`, '/v1/models', `/v1/models/${model}`]);
      return { kind: 'metadata', method, path: path + q, headers: {} };
    }
  }
}

function check(seed: number, i: number, req: FuzzRequest, status: number, contentType: string | null, body: string): void {
  const where = `seed ${seed}, request #${i} (${req.kind}: ${req.method} ${req.path.slice(0, 120)}) → ${status} ${body.slice(0, 200)}`;
  expect(status, where).toBeLessThan(500);
  if (status >= 400) {
    expect(contentType ?? '', where).toMatch(/^application\/json/);
    if (req.method !== 'HEAD') {
      const parsed = JSON.parse(body) as { error?: unknown };
      expect(typeof parsed.error, where).toBe('string');
    }
  }
}

describe('fuzz', () => {
  let ctx: Awaited<ReturnType<typeof exampleApp>>;
  let app: ServingApp;
  let fixture: Fixture;
  let server: RunningServer;

  beforeAll(async () => {
    ctx = await exampleApp(LIMITS);
    app = ctx.app;
    fixture = await writeFixture();
    server = await startServer({ lock: fixture.lock, fetchArtifact: storeSource(fixture.store), port: 0, host: '127.0.0.1', workers: 1, limits: LIMITS, write: () => undefined });
    expect(await server.loaded).toBe(true);
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.cleanup();
  });

  it('10,000 generated bad requests through app.request: never 5xx, 4xx always a JSON error', async () => {
    const r = rng(SEED);
    const kinds = new Map<string, number>();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) {
      const req = generate(r);
      kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
      const res = await app.request(req.path, { method: req.method, headers: req.headers, body: req.body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      check(SEED, i, req, res.status, res.headers.get('content-type'), text);
    }
    // the generators reach every kind of refusal
    for (const s of [400, 404, 405, 413, 415]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(10);
    expect(kinds.size).toBe(13);
    ctx.logger.flush();
    expect(ctx.records.filter((rec) => rec.level === 'error')).toEqual([]);
  });

  it('the v1 fast path accepts only bodies the zod schema accepts', () => {
    const r = rng(SEED + 3);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = r.next() < 0.3 ? validV1(r) : mutate(r, validV1(r));
      if (isPlainV1(body)) {
        fast++;
        expect(v1EnvelopeSchema.safeParse(body).success, JSON.stringify(body).slice(0, 200)).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(5_000);
  });

  it('the v2 fast path accepts only bodies the zod schema accepts', () => {
    const r = rng(SEED + 4);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = r.next() < 0.3 ? validV2(r) : r.next() < 0.5 ? badTensor(r) : mutate(r, validV2(r));
      if (isPlainV2(body)) {
        fast++;
        expect(v2EnvelopeSchema.safeParse(body).success, JSON.stringify(body).slice(0, 200)).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(5_000);
  });

  it('the single-row v2 reader reads only bodies the general path reads, to the same row', () => {
    const r = rng(SEED + 5);
    const iris = ctx.state.models.get('iris')!;
    const value = () => r.pick([r.next() * 8, -r.next(), 0, -0, null, 1e-7, 2.5e21, Infinity, '5.1', true, [5.1]]);
    /** A single-row body, as JSON.stringify, json.dumps or an indenting client writes it. */
    const text = (body: unknown) => {
      const compact = JSON.stringify(body);
      return r.pick([compact, compact.replace(/([,:])/g, '$1 '), JSON.stringify(body, null, r.pick([2, '\t'])), ` \r\n${compact}\n`]);
    };
    /** One character inserted, deleted or replaced, where it can change the grammar. */
    const charMutation = (t: string) => {
      const at = r.int(t.length + 1);
      const c = r.pick([' ', '\t', '\n', '\r', '\f', '\u00a0', '\ufeff', '"', '\\', ',', ':', '[', ']', '{', '}', '0', '1', '-', '+', '.', 'e', 'E', 'x', 'null']);
      const op = r.int(3);
      return op === 0 ? t.slice(0, at) + c + t.slice(at) : op === 1 ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + c + t.slice(at + 1);
    };
    let read = 0;
    let readMutated = 0;
    for (let i = 0; i < 20_000; i++) {
      const inputs = FEATURES.map((name) => ({ name, shape: [1], datatype: r.next() < 0.9 ? 'FP64' : r.pick(['FP32', 'FP16', 'INT64', 'BYTES']), data: [r.next() < 0.8 ? r.next() * 8 : value()] }));
      if (r.next() < 0.1) inputs.reverse();
      const body = r.next() < 0.6 ? { inputs } : r.next() < 0.5 ? badTensor(r) : mutate(r, { inputs });
      let t = text(body);
      const mutated = r.next() < 0.5;
      if (mutated) for (let k = 1 + r.int(2); k > 0; k--) t = charMutation(t);
      const fast = readSingleRowV2(iris, t);
      if (!fast) continue;
      read++;
      if (mutated) readMutated++;
      const parsed: unknown = JSON.parse(t);
      expect(isPlainV2(parsed), t).toBe(true);
      const envelope = v2EnvelopeSchema.safeParse(parsed);
      expect(envelope.success, t).toBe(true);
      expect(Array.from(fast.x), t).toEqual(Array.from(encodeV2Inputs(iris, envelope.data!.inputs).x));
    }
    expect(read).toBeGreaterThan(3_000);
    expect(readMutated).toBeGreaterThan(200); // whitespace put in or taken out, a digit more or less
  });

  it('1,500 more over real HTTP, 16 at a time on keep-alive connections', async () => {
    const r = rng(SEED + 1);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const send = (req: FuzzRequest) =>
      new Promise<{ status: number; contentType: string | null; body: string }>((resolve, reject) => {
        const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
        const headers = { ...req.headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) };
        const path = req.path.replace(/[^\x21-\x7e]/g, (ch) => encodeURIComponent(ch)).replace(/#/g, '%23');
        const out = request({ host: '127.0.0.1', port: server.port, method: req.method, path, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        out.on('error', reject);
        out.end(body);
      });
    const requests = Array.from({ length: 1_500 }, () => generate(r));
    let next = 0;
    const results: { i: number; status: number }[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < requests.length) {
          const i = next++;
          const req = requests[i]!;
          let res;
          try {
            res = await send(req);
          } catch (err) {
            // the server may close a connection after a 413 without reading the body; that is not an answer
            if (req.kind === 'too large' || req.kind === 'too many rows') continue;
            throw new Error(`seed ${SEED + 1}, request #${i} (${req.kind}: ${req.method} ${req.path.slice(0, 100)}): ${(err as Error).message}`, { cause: err });
          }
          results.push({ i, status: res.status });
          check(SEED + 1, i, req, res.status, res.contentType, res.body);
        }
      }),
    );
    agent.destroy();
    expect(results.length).toBeGreaterThan(1_400);
  });

  it('bytes that are not HTTP get a JSON 400 (or a closed connection), never a 5xx', async () => {
    const r = rng(SEED + 2);
    const payloads = [
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /\x00 HTTP/1.1\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'HELLO\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      ...Array.from({ length: 40 }, () => Buffer.from(randomBytes(r, 1 + r.int(300))).toString('latin1') + '\r\n\r\n'),
    ];
    for (const [i, payload] of payloads.entries()) {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(err)));
        socket.setTimeout(5_000, () => socket.destroy());
        socket.end(Buffer.from(payload, 'latin1'));
      });
      if (reply === '') continue;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1]);
      expect(status, `payload #${i}: ${JSON.stringify(payload.slice(0, 80))} → ${reply.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(status, `payload #${i}`).toBeLessThan(500);
      expect(reply, `payload #${i}`).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)), `payload #${i}`).toHaveProperty('error');
    }
    // and the server still answers
    const ok = await fetch(`http://127.0.0.1:${server.port}/v2/health/ready`);
    expect(ok.status).toBe(200);
  });
});

/**
 * Volume, not shape (issue 16 item 1): bodies within the body limit whose size is in their counts
 * (huge arrays, many keys, deep nesting, wide rows). A server whose heap is capped at 256 MB, as
 * a 512 MiB task leaves, must answer each with a small JSON 4xx and stay alive.
 */
function volumetric(r: Rng): { kind: string; path: string; contentType: string; body: string } {
  const v1 = '/v1/models/iris:predict';
  const v2 = '/v2/models/iris/infer';
  const json = 'application/json';
  const n = (min: number, max: number) => min + r.int(max - min);
  const valid = `{"name":"sepal_length","shape":[1],"datatype":"FP64","data":[1]}`;
  const keys = (count: number) => Array.from({ length: count }, (_, i) => `"k${i}${'x'.repeat(r.int(8))}":${i}`).join(',');
  switch (r.int(12)) {
    case 0: return { kind: 'v2: many empty inputs', path: v2, contentType: json, body: `{"inputs":[${Array(n(100_000, 3_000_000)).fill('{}').join(',')}]}` };
    case 1: return { kind: 'v2: many unknown top-level keys', path: v2, contentType: json, body: `{"inputs":[${valid}],${keys(n(10_000, 80_000))}}` };
    case 2: return { kind: 'v2: an input with many unknown keys', path: v2, contentType: json, body: `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[1,2,3,4],${keys(n(10_000, 80_000))}}]}` };
    case 3: return { kind: 'v2: a huge shape', path: v2, contentType: json, body: `{"inputs":[{"name":"x","shape":[${Array(n(100_000, 1_000_000)).fill(r.pick(['"a"', '1', '-1', '{}'])).join(',')}],"datatype":"FP64","data":[]}]}` };
    case 4: return { kind: 'v2: deep nesting in data', path: v2, contentType: json, body: `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":${'['.repeat(n(10_000, 400_000))}${']'.repeat(0)}` };
    case 5: {
      const depth = n(10_000, 100_000);
      return { kind: 'v2: deep nesting, closed', path: r.pick([v1, v2]), contentType: json, body: `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[${'['.repeat(depth)}${']'.repeat(depth)}]}]}` };
    }
    case 6: return { kind: 'v2: wide tensor data', path: v2, contentType: json, body: `{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[${Array(n(100_000, 2_000_000)).fill(r.pick(['1', '"a"', 'null', '{}'])).join(',')}]}]}` };
    case 7: return { kind: 'v2: many outputs', path: v2, contentType: json, body: `{"inputs":[${valid}],"outputs":[${Array(n(100_000, 1_000_000)).fill('{"name":"x","y":1}').join(',')}]}` };
    case 8: return { kind: 'v1: many empty instances', path: v1, contentType: json, body: `{"instances":[${Array(n(1_000, 3_000_000)).fill(r.pick(['{}', '[]', 'null', '"a"'])).join(',')}]}` };
    case 9: return { kind: 'v1: a wide row', path: v1, contentType: json, body: `{"instances":[[${Array(n(100_000, 2_000_000)).fill('1').join(',')}]]}` };
    case 10: return { kind: 'v1: many unknown keys', path: v1, contentType: json, body: r.next() < 0.5 ? `{"instances":[[1,2,3,4]],${keys(n(10_000, 80_000))}}` : `{"instances":[{"sepal_length":1,"sepal_width":1,"petal_length":1,"petal_width":1,${keys(n(10_000, 80_000))}}]}` };
    default: {
      const width = n(10_000, 500_000);
      return r.next() < 0.5
        ? { kind: 'csv: a wide header', path: v1, contentType: 'text/csv', body: `${Array.from({ length: width }, (_, i) => `c${i}`).join(',')}\n1\n` }
        : { kind: 'csv: a wide row', path: v1, contentType: 'text/csv', body: `sepal_length,sepal_width,petal_length,petal_width\n${Array(width).fill('1').join(',')}\n` };
    }
  }
}

describe('volumetric requests under a 256 MB heap', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await writeFixture();
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('each gets a small JSON 4xx, and the worker stays alive and serving', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_')));
    const server = await spawnServe(process.execPath, ['--max-old-space-size=256', path.join(ROOT, 'cli/serve-entry.ts'), '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '1'], { env });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      for (let i = 0; i < 200 && (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status !== 200; i++) await new Promise((res) => setTimeout(res, 50));
      const r = rng(SEED + 5);
      const kinds = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const req = volumetric(r);
        kinds.add(req.kind);
        const where = `seed ${SEED + 5}, request #${i} (${req.kind}, ${req.body.length} bytes)`;
        const res = await fetch(url + req.path, { method: 'POST', headers: { 'content-type': req.contentType }, body: req.body });
        const text = await res.text();
        expect(res.status, `${where} → ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${where} → ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
        expect(typeof (JSON.parse(text) as { error?: unknown }).error, where).toBe('string');
        expect(text.length, `${where}: the error body is bounded`).toBeLessThan(4096);
      }
      expect(kinds.size).toBeGreaterThanOrEqual(10);
      expect(server.child.exitCode).toBe(null);
      const ok = await fetch(`${url}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' });
      expect(await ok.json()).toEqual({ predictions: ['setosa'] });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    expect(server.stderr()).not.toMatch(/heap out of memory|FATAL/);
  });
});
