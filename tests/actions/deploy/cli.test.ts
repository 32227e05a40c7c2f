/**
 * `mlship deploy` against the ECS fake, in-process: the standard credential chain (the test keys
 * in the environment), MLSHIP_ECS_ENDPOINT for the endpoint; text and JSON from the library's
 * result; exit 0 rolled out or unchanged, 1 failed, 2 bad input before any ECS call.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeployResult } from '../../../actions/lib/ecs/outcome.ts';
import { run } from '../../../cli/run.ts';
import type { Fixture } from '../../serving/helpers.ts';
import { writeFixture } from '../../serving/helpers.ts';
import { CLUSTER, CONTAINER, SERVICE, imageOf, startWorld } from '../../fakes/ecs/world.ts';
import type { World } from '../../fakes/ecs/world.ts';
import { REGION } from './helpers.ts';

let world: World;
let fixture: Fixture;
beforeEach(async () => {
  [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
  // The SDK's standard chain reads the process environment.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await world.fake.close();
  await fixture.cleanup();
});

async function mlship(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { cwd: fixture.dir, env: { AWS_REGION: REGION, MLSHIP_ECS_ENDPOINT: world.fake.url }, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await run(['deploy', ...args], io);
  return { code, stdout, stderr };
}

const target = ['--cluster', CLUSTER, '--service', SERVICE, '--container', CONTAINER];

describe('mlship deploy', () => {
  it('rolls out and prints what it did, with the pinned model versions (text)', async () => {
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 0 });
    const out = await mlship(...target, '--image', imageOf('a'));
    expect(out).toMatchObject({ code: 0, stderr: '' });
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe(`✓ rolled out ${imageOf('a')} on ${SERVICE} (cluster ${CLUSTER})`);
    expect(out.stdout).toContain(`  digest           sha256:${'a'.repeat(64)}\n`);
    expect(out.stdout).toContain(`  task definition  arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:2\n`);
    expect(out.stdout).toMatch(/ {2}deployment {7}ecs-svc\/\d{19} \(SUCCESSFUL\)\n/);
    const { diabetes, iris, wine } = fixture.lock.models;
    expect(out.stdout).toContain(`  models           diabetes ${diabetes!.version}, iris ${iris!.version}, wine ${wine!.version}\n`);
  });

  it('--json: one line, the library result with the models; exit 1 on a circuit-breaker rollback', async () => {
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 0, failedTasks: 1, stop: { pullError: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' } });
    const out = await mlship(...target, '--image', imageOf('b'), '--timeout', '5', '--json');
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as DeployResult & { models: { name: string; version: string }[] };
    expect(result).toMatchObject({ status: 'failed', image: imageOf('b'), rollback: { reason: 'Circuit Breaker' }, failedTasks: 1 });
    expect(result.reasons.filter((r) => r.kind === 'task').map((r) => r.message)).toEqual(['CannotPullContainerError: pull image manifest has been retried 5 time(s)']);
    expect(result.models.map((m) => m.name)).toEqual(['diabetes', 'iris', 'wine']);
  });

  it('text on failure names each reason; unchanged is exit 0', async () => {
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 0 });
    const failed = await mlship(...target, '--image', imageOf('c'));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^✗ failed to roll out /);
    expect(failed.stdout).toContain('  rollback: ECS rolled the deployment back (Circuit Breaker)');
    expect(failed.stdout).toContain('  task: Essential container in task exited (serving: exit code 1) (arn:aws:ecs:');

    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 0 });
    expect((await mlship(...target, '--image', imageOf('d'))).code).toBe(0);
    const again = await mlship(...target, '--image', imageOf('d'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^✓ unchanged \(the service already runs it\): /);
  });

  it('bad input is exit 2 with one line, before any ECS call', async () => {
    expect(await mlship('--cluster', CLUSTER, '--service', SERVICE)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^mlship deploy: --container, --image are required/) });
    expect(await mlship(...target, '--image', `${imageOf('a').split('@')[0]}:latest`)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not pinned by digest') });
    expect(await mlship(...target, '--image', imageOf('a'), '--timeout', '0')).toMatchObject({ code: 2, stderr: expect.stringContaining('field "--timeout": the timeout must be a whole number of minutes') });
    expect(await mlship(...target, '--image', imageOf('a'), '--lock', 'nope.lock.json')).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read the lock (ENOENT)') });
    expect(world.fake.calls).toEqual([]);
  });

  it('an ECS call that fails (a cluster that does not exist) is exit 1 with the operation and the AWS error', async () => {
    const out = await mlship('--cluster', 'nope', '--service', SERVICE, '--container', CONTAINER, '--image', imageOf('a'));
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: 'mlship deploy: ECS DescribeServices failed: ClusterNotFoundException: Cluster not found.\n' });
  });
});
