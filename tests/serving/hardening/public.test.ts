// What the server shows publicly names no store URI, bucket or file path (the log keeps them),
// and `/metrics` can move to a port of its own, leaving a 404 on the main port.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSource } from '../../../serving/loader.ts';
import type { RunningServer } from '../../../serving/server.ts';
import { startServer } from '../../../serving/server.ts';
import type { Fixture } from '../helpers.ts';
import { writeFixture } from '../helpers.ts';
import type { Served } from './served.ts';
import { serveFixture } from './served.ts';

describe('refused models, as the public sees them', () => {
  let fixture: Fixture;
  let server: RunningServer;
  const lines: string[] = [];
  beforeAll(async () => {
    fixture = await writeFixture();
    // wine: altered bytes in the store; diabetes: missing from it
    const file = (name: string) => path.join(fixture.modelsDir, name, fixture.lock.models[name]!.version, 'model.json');
    await writeFile(file('wine'), '{"tampered": true}');
    await rm(file('diabetes'));
    server = await startServer({ lock: fixture.lock, fetchArtifact: storeSource(fixture.store), port: 0, host: '127.0.0.1', workers: 1, drainTimeoutMs: 1_000, write: (t) => void lines.push(t) });
    expect(await server.loaded).toBe(false);
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.cleanup();
  });

  it('/v1/models, readiness, the model routes, /metrics and the page name no path or URI', async () => {
    const get = async (p: string) => (await fetch(`http://127.0.0.1:${server.port}${p}`, { headers: { connection: 'close' } })).text();
    const answers = await Promise.all(['/v1/models', '/v1/models/wine', '/v2/health/ready', '/v2/models/wine', '/v2/models/diabetes', '/metrics', '/'].map(get));
    for (const text of answers) {
      expect(text).not.toContain(fixture.dir);
      expect(text).not.toMatch(/file:\/\/|s3:\/\//);
    }
    const listing = JSON.parse(answers[0]!) as { models: { name: string; error?: string; version: string; sha256: string }[] };
    expect(listing.models.find((m) => m.name === 'wine')).toMatchObject({ error: expect.stringMatching(/sha256 mismatch/), version: fixture.lock.models.wine!.version, sha256: fixture.lock.models.wine!.sha256 });
    expect(listing.models.find((m) => m.name === 'diabetes')).toMatchObject({ error: expect.stringMatching(/is not in the store/) });
    // the log says where
    expect(lines.join('')).toContain(fixture.dir);
  });
});

describe('--metrics-port', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serveFixture({}, { metricsPort: 0 });
  });
  afterAll(() => served?.stop());

  it('serves /metrics there, and the main port answers 404 for it', async () => {
    const { server } = served;
    expect(server.metricsPort).toEqual(expect.any(Number));
    expect(server.metricsPort).not.toBe(server.port);
    const predicted = await fetch(`http://127.0.0.1:${server.port}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' });
    expect(predicted.status).toBe(200);
    const main = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(main.status).toBe(404);
    expect(((await main.json()) as { error: string }).error).toMatch(/no such route/);
    const scrape = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('mlship_http_requests_total{route="v1_predict",model="iris",status="200"} 1');
    const other = await fetch(`http://127.0.0.1:${server.metricsPort}/v1/models`);
    expect(other.status).toBe(404);
  });
});
