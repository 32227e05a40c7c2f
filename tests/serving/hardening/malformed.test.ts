// Requests that never reach the app (node's parser, node-server's URL building, Expect) get a
// JSON error, a log line and a count in the metrics: real sockets, since no client sends these.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from './served.ts';
import { serveFixture } from './served.ts';
import { rawRequest } from './raw.ts';

let served: Served;
beforeAll(async () => {
  served = await serveFixture();
});
afterAll(() => served?.stop());

const CASES: [string, string, number][] = [
  ['a backslash in the path (curl --path-as-is)', 'GET /v2/models/..\\..\\etc/infer HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['a POST with a backslash', 'POST /v2/models/..\\..\\etc/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}', 400],
  ['GET *', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['no Host (HTTP/1.1)', 'GET /v2 HTTP/1.1\r\n\r\n', 400],
  ['no Host (HTTP/1.0)', 'GET /v2 HTTP/1.0\r\n\r\n', 400],
  ['an invalid Host', 'GET /v2 HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
  ['HTTP/0.9', 'GET /v2\r\n\r\n', 400],
  ['a bad request line', 'GARBAGE\r\n\r\n', 400],
  ['an Expect other than 100-continue', 'POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 2\r\n\r\n{}', 417],
];

describe('requests that never reach the app', () => {
  it.each(CASES)('%s: a JSON error', async (_, request, status) => {
    const answer = await rawRequest(served.server.port, request, 5_000);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/malformed HTTP request|unsupported Expect "something"/);
  });

  it('are logged and counted', async () => {
    const before = served.records.filter((r) => r.route === 'malformed').length;
    for (const [, request] of CASES) await rawRequest(served.server.port, request, 5_000);
    await new Promise((r) => setTimeout(r, 100)); // logs are flushed every 50 ms
    const logged = served.records.filter((r) => r.route === 'malformed').slice(before);
    expect(logged).toHaveLength(CASES.length);
    for (const r of logged) expect(r).toMatchObject({ msg: 'request', status: expect.any(Number), error: expect.any(String) });
    const text = await (await fetch(`http://127.0.0.1:${served.server.port}/metrics`)).text();
    const count = (status: number) => Number(new RegExp(`mlship_http_requests_total\\{route="malformed",model="",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count(400)).toBeGreaterThanOrEqual(CASES.filter((c) => c[2] === 400).length * 2);
    expect(count(417)).toBeGreaterThanOrEqual(2);
  });

  it('Expect: 100-continue still works', async () => {
    const body = '{"instances":[[5.1,3.5,1.4,0.2]]}';
    const answer = await rawRequest(served.server.port, `POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 5_000);
    expect(answer.status).toBe(100);
    expect(answer.body).toMatch(/^HTTP\/1.1 200 OK/);
  });
});
