// Draining with keep-alive clients that send continuously (the real process, 2 workers, SIGTERM),
// 5 times: every request written gets an answer (none is reset), readiness answers 503 on a
// kept-alive connection, the answers after SIGTERM carry `Connection: close`, and the process exits 0.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../helpers.ts';
import type { KeepAliveTally } from './keep-alive-client.ts';
import { emptyTally, keepSending } from './keep-alive-client.ts';
import { openSocket, parseAnswer, rawRequest } from './raw.ts';
import { serveFixture } from './served.ts';

const CLIENTS = 32;
const RUNS = 5;
const BODY = '{"instances":[[5.1,3.5,1.4,0.2],[6.7,3.1,5.6,2.4]]}';
const REQUESTS = [
  { text: `POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}` },
  { text: 'GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n', ready: true },
];

let fixture: Fixture;
beforeAll(async () => {
  fixture = await writeFixture();
});
afterAll(() => fixture?.cleanup());

async function oneRun(): Promise<{ tally: KeepAliveTally; code: number | null }> {
  const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, MLSHIP_WORKERS: '2', MLSHIP_DRAIN_TIMEOUT: '20' },
  });
  // (fetch would keep its connection open, idle, until the drain deadline closes it)
  for (let i = 0; i < 200 && (await rawRequest(server.port, 'GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').catch(() => undefined))?.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const tally = emptyTally();
  let stop = false;
  const clients = Array.from({ length: CLIENTS }, () => keepSending(server.port, REQUESTS, () => stop, tally));
  await new Promise((r) => setTimeout(r, 400));
  server.child.kill('SIGTERM');
  const code = await server.exited;
  stop = true;
  await Promise.all(clients);
  return { tally, code };
}

describe('draining with continuously-sending keep-alive clients', () => {
  it(`loses no request that was sent, over ${RUNS} runs`, async () => {
    const runs: KeepAliveTally[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { tally, code } = await oneRun();
      expect(code).toBe(0);
      runs.push(tally);
    }
    const report = runs.map((t) => ({ sent: t.sent, lost: t.lost, resetOnNew: t.resetOnNew, notReadyKeptAlive: t.notReadyKeptAlive, closing: t.closing, statuses: Object.fromEntries(t.statuses) }));
    console.log(`drain with ${CLIENTS} keep-alive clients, ${RUNS} runs: ${JSON.stringify(report)}`);
    for (const t of runs) {
      expect(t.sent).toBeGreaterThan(CLIENTS);
      expect(t.lost).toBe(0);
      // every answer is a 200, or readiness's 503 once draining
      expect([...t.statuses.keys()].sort()).toEqual(expect.arrayContaining([200]));
      for (const status of t.statuses.keys()) expect([200, 503]).toContain(status);
      expect(t.closing).toBeGreaterThan(0);
    }
    expect(runs.some((t) => t.notReadyKeptAlive > 0)).toBe(true);
  }, 120_000);
});

describe('an idle keep-alive connection when draining starts', () => {
  it('is not closed at once: a request sent on it then is answered, with Connection: close; idle ones close at the deadline', async () => {
    const served = await serveFixture({}, { drainTimeoutMs: 2_000 });
    const ask = 'GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n';
    const [busy, idle] = await Promise.all([openSocket(served.server.port), openSocket(served.server.port)]);
    const texts = new Map([busy, idle].map((s) => [s, '']));
    const closed = [busy!, idle!].map((s) => new Promise<void>((resolve) => {
      s.on('data', (c: Buffer) => texts.set(s, texts.get(s) + c.toString('latin1')));
      s.on('error', () => undefined);
      s.on('close', () => resolve());
    }));
    busy!.write(ask);
    idle!.write(ask);
    while (![busy!, idle!].every((s) => texts.get(s)!.includes('\r\n\r\n{'))) await new Promise((r) => setTimeout(r, 10));
    expect(parseAnswer(texts.get(busy!)!).status).toBe(200);
    texts.set(busy!, '');
    const stopping = served.server.close();
    // both connections are idle and kept alive; one sends its next request now
    busy!.write(ask);
    await closed[0];
    const answer = parseAnswer(texts.get(busy!)!);
    expect(answer.status).toBe(503);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ ready: false, error: 'the server is draining (shutting down)' });
    // the other stays idle until the deadline closes it
    await closed[1];
    await stopping;
    await served.fixture.cleanup();
    expect(served.records.some((r) => r.msg === 'stopped')).toBe(true);
  });
});
