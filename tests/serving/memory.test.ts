/** Bodies held in memory are bounded per process, whatever clients do (slow uploads included). */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsDirSource } from '../../serving/loader.ts';
import type { RunningServer } from '../../serving/server.ts';
import { startServer } from '../../serving/server.ts';
import type { Fixture } from './helpers.ts';
import { waitFor, writeFixture } from './helpers.ts';

describe('request body budget', () => {
  let fixture: Fixture;
  let server: RunningServer;
  const BUDGET = 64 * 1024;
  beforeAll(async () => {
    fixture = await writeFixture();
    server = await startServer({
      lock: fixture.lock,
      fetchArtifact: modelsDirSource(fixture.modelsDir),
      port: 0,
      host: '127.0.0.1',
      workers: 1,
      limits: { maxBodyBytes: 1024 * 1024, maxBufferedBytes: BUDGET },
      write: () => undefined,
    });
    expect(await server.loaded).toBe(true);
  });
  afterAll(async () => {
    await server.close();
    await fixture.cleanup();
  });

  /** A valid JSON predict body of at least `bytes` bytes (rows of 18 bytes each). */
  const body = (bytes: number) => `{"instances":[${Array(Math.ceil(bytes / 18)).fill('[5.1,3.5,1.4,0.2]').join(',')}]}`;

  it('refuses a body with 503 and Retry-After while slow uploads hold the budget, then recovers', async () => {
    // A client that declares 200 KB, sends 60 KB of it and stalls: it holds 60 KB of the 64 KB budget.
    const slow = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    const declared = body(200 * 1024);
    slow.write(`POST /v1/models/iris:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared.length}\r\n\r\n`);
    slow.write(declared.slice(0, 60 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const refused = await fetch(`http://127.0.0.1:${server.port}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(20 * 1024),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: string }).error).toMatch(/busy reading other large requests/);

    // Small bodies that fit beside the held bytes still go through.
    const small = await fetch(`http://127.0.0.1:${server.port}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"instances":[[5.1,3.5,1.4,0.2]]}',
    });
    expect(small.status).toBe(200);

    // The stalled client goes away: its bytes are given back.
    slow.destroy();
    await waitFor(() => slow.destroyed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await fetch(`http://127.0.0.1:${server.port}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(20 * 1024),
    });
    expect(again.status).toBe(200);
  });
});
