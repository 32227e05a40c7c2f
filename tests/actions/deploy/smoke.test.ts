/**
 * The smoke test after a rollout, against a real server on 127.0.0.1 (`startServer`, what
 * `mlship serve` runs, serving a lock from a file store): through the deploy action, it passes
 * when the server serves exactly what the workspace's lock pins, and fails the job when a version
 * differs (an image built from another lock). Also the pure parts: the sample row, the version
 * comparison, and a server that never becomes ready.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../actions/deploy/run.ts';
import { sampleRow } from '../../../actions/lib/deploy/sample-row.ts';
import { versionProblems } from '../../../actions/lib/deploy/served-versions.ts';
import { smokeTest } from '../../../actions/lib/deploy/smoke.ts';
import { formatLock } from '../../../registry/lock.ts';
import { storeSource } from '../../../serving/loader.ts';
import type { RunningServer } from '../../../serving/server.ts';
import { startServer } from '../../../serving/server.ts';
import { CLUSTER, CONTAINER, SERVICE, imageOf, startWorld } from '../../fakes/ecs/world.ts';
import { tempDir } from '../../helpers/temp.ts';
import type { Fixture } from '../../serving/helpers.ts';
import { writeFixture } from '../../serving/helpers.ts';
import { instantClock } from '../ecs/helpers.ts';
import { awsEnv, pushStep } from './helpers.ts';

let fixture: Fixture;
let server: RunningServer;
let url: string;
beforeAll(async () => {
  fixture = await writeFixture();
  server = await startServer({ lock: fixture.lock, fetchArtifact: storeSource(fixture.store), port: 0, host: '127.0.0.1', workers: 1, write: () => undefined });
  expect(await server.loaded).toBe(true);
  url = `http://127.0.0.1:${server.port}/`;
});
afterAll(async () => {
  await server?.close();
  await fixture?.cleanup();
});

async function deployWithSmoke(workspace: string) {
  const world = await startWorld();
  try {
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 1 });
    return await pushStep(() => run(process.env, { clock: instantClock(), smoke: { readyAttempts: 1 } }), {
      workspace,
      inputs: { cluster: CLUSTER, service: SERVICE, container: CONTAINER, image: imageOf('e'), 'service-url': url },
      env: awsEnv(world.fake.url),
    });
  } finally {
    await world.fake.close();
  }
}

describe('smoke test through the deploy action', () => {
  it('passes: ready, /v1/models serves exactly the pinned versions, one prediction per model', async () => {
    const step = await deployWithSmoke(fixture.dir);
    expect(step.failed).toBe(false);
    expect(step.outputs).toMatchObject({ status: 'succeeded', smoke: 'passed' });
    const smoke = step.value!.smoke!;
    expect(smoke.checks.map((c) => `${c.check}${c.model ? ` ${c.model}` : ''} ${c.ok}`)).toEqual(['ready true', 'versions true', 'predict diabetes true', 'predict iris true', 'predict wine true']);
    expect(smoke.checks.find((c) => c.model === 'iris')!.message).toMatch(/^predicts "(setosa|versicolor|virginica)" for \{"sepal_length":0,"sepal_width":0,"petal_length":0,"petal_width":0\}$/);
    expect(step.summary).toContain('### Smoke test: ✅ passed');
    expect(step.summary).toContain('| versions |  | ✅ /v1/models serves exactly the 3 pinned versions |');
    expect(step.log).not.toContain('::error');
  });

  it('fails the job when the service serves another version than the lock pins', async () => {
    const other = structuredClone(fixture.lock);
    const served = other.models.iris!.version;
    other.models.iris!.version = 'f'.repeat(served.length);
    const workspace = tempDir('mlship-deploy-lock-');
    await writeFile(path.join(workspace, 'models.lock.json'), formatLock(other));
    const step = await deployWithSmoke(workspace);
    expect(step.failed).toBe(true);
    expect(step.outputs).toMatchObject({ status: 'succeeded', smoke: 'failed' });
    const problem = `model "iris" is served at version ${served}, the lock pins ${'f'.repeat(served.length)}`;
    expect(step.log).toContain(`::error title=mlship smoke test failed::smoke versions: ${problem}`);
    expect(step.log).toContain(`::error::the smoke test of ${url.replace(/\/$/, '')} failed: ${problem}`);
    expect(step.summary).toContain('### Smoke test: ❌ failed');
    expect(step.summary).toContain('## mlship deploy: ✅ rolled out, ❌ smoke test failed');
  });
});

describe('smokeTest', () => {
  it('reports a server that never becomes ready, after the attempts given', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const slept: number[] = [];
    const result = await smokeTest(`http://127.0.0.1:${port}`, fixture.lock, { readyAttempts: 3, readyIntervalMs: 10_000, sleep: async (ms) => void slept.push(ms) });
    expect(result.ok).toBe(false);
    expect(slept).toEqual([10_000, 10_000]);
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]!.message).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/v2/health/ready is not ready after 3 attempts: TypeError: fetch failed \\(.*ECONNREFUSED`));
  });
});

describe('sampleRow', () => {
  it('numbers 0, booleans false, categories the first the model knows (null when it knows none)', () => {
    const inputs = [
      { name: 'size', datatype: 'FP64' },
      { name: 'member', datatype: 'BOOL' },
      { name: 'color', datatype: 'BYTES' },
      { name: 'zip', datatype: 'BYTES' },
    ];
    expect(sampleRow(inputs, [{ name: 'color', categories: ['blue', 'green', 'red'] }])).toEqual({ size: 0, member: false, color: 'blue', zip: null });
  });
});

describe('versionProblems', () => {
  it('names a missing model, another version, another sha256, a model not ready and one the lock does not pin', () => {
    const lock = structuredClone(fixture.lock);
    const diabetes = lock.models.diabetes!;
    const iris = lock.models.iris!;
    const wine = lock.models.wine!;
    const served = [
      { name: 'iris', version: iris.version, sha256: '0'.repeat(64) },
      { name: 'wine', version: wine.version, sha256: wine.sha256, ready: false, error: 'loading' },
      { name: 'extra', version: '000000000000' },
    ];
    expect(versionProblems(lock, served)).toEqual([
      `model "diabetes" (pinned ${diabetes.version}) is not served`,
      `model "iris" ${iris.version} is served with sha256 ${'0'.repeat(64)}, the lock pins ${iris.sha256}`,
      `model "wine" ${wine.version} is not ready: loading`,
      'model "extra" 000000000000 is served but the lock does not pin it',
    ]);
    expect(versionProblems(lock, Object.entries(lock.models).map(([name, e]) => ({ name, version: e.version, sha256: e.sha256, ready: true })))).toEqual([]);
  });
});
