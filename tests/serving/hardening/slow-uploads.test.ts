// Slow uploads (a declared Content-Length, then a byte at a time) hold no prediction slot, and are
// answered 408 once past the body timeout or under the minimum rate: normal predictions go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../serving/server.ts';
import type { Served } from './served.ts';
import { serveFixture } from './served.ts';
import { openSocket, parseAnswer, readUntilClosed } from './raw.ts';

const SLOW = 12;

describe('slow uploads', () => {
  let served: Served;
  let server: RunningServer;
  beforeAll(async () => {
    served = await serveFixture({ maxInflight: 4, bodyTimeoutMs: 1_500, minBodyBytesPerSecond: 0 });
    server = served.server;
  });
  afterAll(() => served?.stop());

  const predict = (body = '{"instances":[[5.1,3.5,1.4,0.2]]}') =>
    fetch(`http://127.0.0.1:${server.port}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('hold no in-flight slot, and get a JSON 408 at the body timeout', async () => {
    // More slow uploads than prediction slots, each declaring 100 KB and sending 1 byte.
    const sockets = await Promise.all(Array.from({ length: SLOW }, () => openSocket(server.port)));
    const answers = sockets.map((socket) => {
      const answer = readUntilClosed(socket);
      socket.write('POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
      return answer;
    });
    // let the server take them all in (their handlers wait for the rest of the body)
    await new Promise((r) => setTimeout(r, 300));
    const normal = await Promise.all(Array.from({ length: 8 }, () => predict()));
    expect(normal.map((r) => r.status)).toEqual(Array(8).fill(200));

    const refused = (await Promise.all(answers)).map(parseAnswer);
    for (const a of refused) {
      expect(a.status).toBe(408);
      expect(a.headers['content-type']).toMatch(/application\/json/);
      expect((JSON.parse(a.body) as { error: string }).error).toMatch(/did not arrive within 1500 ms/);
    }
    // and the server still answers
    expect((await predict()).status).toBe(200);
  });
});

describe('a body under the minimum rate', () => {
  let served: Served;
  let server: RunningServer;
  beforeAll(async () => {
    served = await serveFixture({ bodyTimeoutMs: 60_000, minBodyBytesPerSecond: 100 });
    server = served.server;
  });
  afterAll(() => served?.stop());

  it('is a 408 once its grace period is over, though it keeps sending', async () => {
    const socket = await openSocket(server.port);
    const answer = readUntilClosed(socket);
    socket.write('POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n');
    // a byte every 200 ms: 5 bytes a second, under the 100 asked for
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    try {
      const a = parseAnswer(await answer);
      expect(a.status).toBe(408);
      expect((JSON.parse(a.body) as { error: string }).error).toMatch(/arriving too slowly .* at least 100 bytes a second/);
    } finally {
      clearInterval(drip);
    }
  });
});
