// The real server (`node cli/main.ts serve`, a cluster of 2 workers) under a stream of requests:
// SIGTERM mid-way loses no accepted request. "Accepted" is what the server handled, which its
// request log shows (one line per request, with the client's x-request-id): every one of those
// reached the client as a 200; requests the client could not get in (connection refused or reset
// once the server stopped accepting) were never handled. Uploads still in progress at SIGTERM are
// finished and answered. The process exits 0. Also: /metrics sums every worker's counters.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture, ServeProcess } from './helpers.ts';
import { ROOT, spawnServe, waitFor, writeFixture } from './helpers.ts';

type Server = ServeProcess;

async function startChild(fixture: Fixture, env: Record<string, string> = {}): Promise<Server> {
  const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, MLSHIP_WORKERS: '2', MLSHIP_DRAIN_TIMEOUT: '20', ...env },
  });
  const { port } = server;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/v2/health/ready`).catch(() => undefined);
    if (res?.status === 200) return server;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not become ready');
}

type Outcome = { id: string; sentAt: number; status?: number; error?: string };

function post(port: number, id: string, body: string, options: { keepAliveAgent?: boolean } = {}): Promise<Outcome> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/models/iris:predict',
        agent: options.keepAliveAgent ? undefined : false,
        headers: { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body), 'x-request-id': id },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ id, sentAt, status: res.statusCode }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ id, sentAt, error: err.code ?? err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ id, sentAt, error: err.code ?? err.message }));
    req.end(body);
  });
}

/** A request whose body arrives in two halves, `gapMs` apart: in flight for that long. */
function slowUpload(port: number, id: string, body: string, afterFirstHalf: () => Promise<void>): Promise<Outcome> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/models/iris:predict', agent: false, headers: { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body), 'x-request-id': id } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ id, sentAt, status: res.statusCode }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ id, sentAt, error: err.code ?? err.message }));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    void afterFirstHalf().then(() => req.end(body.slice(half)));
  });
}

function csvBody(rows: number): string {
  const lines = ['sepal_length,sepal_width,petal_length,petal_width'];
  for (let i = 0; i < rows; i++) lines.push(`${4 + (i % 40) / 10},${2 + (i % 20) / 10},${1 + (i % 60) / 10},${(i % 25) / 10}`);
  return `${lines.join('\n')}\n`;
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await writeFixture();
});
afterAll(async () => {
  await fixture?.cleanup();
});

describe('mlship serve (2 workers, real process)', () => {
  it('SIGTERM under load: every accepted request gets its 200, in-flight uploads finish, exit 0', async () => {
    const server = await startChild(fixture);
    const body = csvBody(2_000);
    const outcomes: Outcome[] = [];
    let sigtermAt = Infinity;
    let stop = false;

    // 8 clients, a new connection per request, until the server stops accepting.
    const loops = Array.from({ length: 8 }, async (_, loop) => {
      for (let n = 0; !stop; n++) {
        const o = await post(server.port, `c${loop}-${n}`, body);
        outcomes.push(o);
        if (o.error && performance.now() > sigtermAt) break;
      }
    });
    // 2 clients on keep-alive connections
    const keepAlive = Array.from({ length: 2 }, async (_, loop) => {
      for (let n = 0; !stop; n++) {
        const o = await post(server.port, `k${loop}-${n}`, body, { keepAliveAgent: true });
        outcomes.push(o);
        if (o.error && performance.now() > sigtermAt) break;
      }
    });

    await new Promise((r) => setTimeout(r, 1_500));
    // Three uploads in progress when SIGTERM arrives; the rest of each body comes 400 ms later.
    let signalled!: () => void;
    const afterSignal = new Promise<void>((r) => (signalled = r));
    const uploads = [0, 1, 2].map((i) => slowUpload(server.port, `slow-${i}`, body, () => afterSignal.then(() => new Promise((r) => setTimeout(r, 400)))));
    await new Promise((r) => setTimeout(r, 100));
    sigtermAt = performance.now();
    server.child.kill('SIGTERM');
    signalled();

    const code = await server.exited;
    stop = true;
    await Promise.all([...loops, ...keepAlive]);
    const slow = await Promise.all(uploads);

    expect(code).toBe(0);
    expect(slow.map((o) => o.status)).toEqual([200, 200, 200]);

    const answered = outcomes.filter((o) => o.status !== undefined);
    const failed = outcomes.filter((o) => o.error !== undefined);
    expect(answered.length).toBeGreaterThan(50);
    // every answer is a 200: no 503 or 5xx while draining
    expect(answered.filter((o) => o.status !== 200)).toEqual([]);
    // failures are only connections the server no longer took, and only around/after SIGTERM
    for (const o of failed) {
      expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']).toContain(o.error);
      expect(o.sentAt).toBeGreaterThan(sigtermAt - 500);
    }

    const logged = new Map(server.records.filter((r) => r.msg === 'request' && typeof r.request_id === 'string').map((r) => [r.request_id as string, r.status as number]));
    const byId = new Map([...outcomes, ...slow].map((o) => [o.id, o]));
    // every request the server handled reached the client as a 200
    for (const [id, status] of logged) {
      expect(status, id).toBe(200);
      expect(byId.get(id)?.status, id).toBe(200);
    }
    // and nothing the client saw fail was handled
    for (const o of failed) expect(logged.has(o.id), o.id).toBe(false);
    // requests were answered after SIGTERM (the in-flight ones)
    expect([...answered, ...slow].some((o) => o.sentAt < sigtermAt && logged.has(o.id))).toBe(true);

    expect(server.records.some((r) => r.msg === 'draining')).toBe(true);
    expect(server.records.some((r) => r.msg === 'stopped')).toBe(true);
    expect(server.records.filter((r) => /cut requests short/.test(String(r.msg)))).toEqual([]);
    // request log lines: model, version, rows, status, latency
    const line = server.records.find((r) => r.request_id === 'slow-0')!;
    expect(line).toMatchObject({ msg: 'request', model: 'iris', version: fixture.lock.models.iris!.version, rows: 2_000, status: 200, ms: expect.any(Number), worker: expect.any(Number) });
  });

  it('/metrics sums every worker; a worker that dies is replaced', async () => {
    const server = await startChild(fixture);
    try {
      const body = csvBody(10);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(server.port, `m${i}`, body)));
      expect(results.every((o) => o.status === 200)).toBe(true);
      await waitFor(() => server.records.filter((r) => r.msg === 'request' && String(r.request_id).startsWith('m')).length === 40);
      const workers = new Set(server.records.filter((r) => r.msg === 'request').map((r) => r.worker));
      expect(workers.size).toBe(2);
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(text).toContain('mlship_http_requests_total{route="v1_predict",model="iris",status="200"} 40');
      expect(text).toContain('mlship_predicted_rows_total{model="iris",status="200"} 400');
      expect(text).toContain('mlship_workers 2');

      const pid = server.records.find((r) => r.msg === 'request')!.pid as number;
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && !server.records.some((r) => r.msg === 'worker exited; starting another'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(server.records.some((r) => r.msg === 'worker exited; starting another')).toBe(true);
      const after = await Promise.all(Array.from({ length: 10 }, (_, i) => post(server.port, `n${i}`, body)));
      expect(after.every((o) => o.status === 200)).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });

  it('a tampered artifact: the process serves but never becomes ready, and says which model and why', async () => {
    const bad = await writeFixture({ tamper: ['wine'] });
    const child = spawn(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', bad.lockFile, '--store', bad.store, '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, MLSHIP_WORKERS: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      for (let i = 0; i < 100 && !out.includes('"not ready'); i++) await new Promise((r) => setTimeout(r, 50));
      const records = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records).toContainEqual(expect.objectContaining({ level: 'error', msg: 'model not served', model: 'wine', reason: expect.stringMatching(/sha256 mismatch/) }));
      const port = records.find((r) => r.msg === 'listening')!.port as number;
      for (let i = 0; i < 4; i++) {
        // both workers agree (the primary verified once and sent only the good models)
        const ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`);
        expect(ready.status).toBe(503);
        expect((await fetch(`http://127.0.0.1:${port}/v2/models/wine`)).status).toBe(503);
        expect((await fetch(`http://127.0.0.1:${port}/v2/models/iris`)).status).toBe(200);
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      await bad.cleanup();
    }
  });
});
