/**
 * The deploy action's run() against the ECS fake (and, for renewed credentials, the STS fake and
 * a stand-in for the runner's OIDC endpoint), through the real SDK clients: what it registers,
 * its outputs, its job summary (digest, model versions), how a circuit-breaker rollback fails the
 * job with the stopped tasks' reasons, and the skip when the service already runs the image.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../actions/deploy/run.ts';
import type { Fixture } from '../../serving/helpers.ts';
import { writeFixture } from '../../serving/helpers.ts';
import { CLUSTER, CONTAINER, SERVICE, imageOf, startWorld } from '../../fakes/ecs/world.ts';
import type { World } from '../../fakes/ecs/world.ts';
import { startStsFake } from '../../fakes/sts/api.ts';
import type { FakeSts } from '../../fakes/sts/api.ts';
import { tokenIssuer } from '../../fakes/sts/oidc-token.ts';
import { instantClock } from '../ecs/helpers.ts';
import { awsEnv, pushStep } from './helpers.ts';

let world: World | undefined;
let fixture: Fixture | undefined;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await world?.fake.close();
  await fixture?.cleanup();
  for (const close of closers.splice(0)) await close();
  world = undefined;
  fixture = undefined;
});

const inputs = (image: string, extra: Record<string, string> = {}) => ({ cluster: CLUSTER, service: SERVICE, container: CONTAINER, image, timeout: '30', ...extra });

async function deploy(image: string, extra: Record<string, string> = {}, env: Record<string, string | undefined> = {}, clock = instantClock()) {
  return pushStep(() => run(process.env, { clock }), { workspace: fixture!.dir, inputs: inputs(image, extra), env: { ...awsEnv(world!.fake.url), ...env } });
}

describe('deploy action', () => {
  it('rolls the image out: the new revision pins the digest; outputs; summary with the digest and the pinned versions', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    const image = imageOf('a');
    const step = await deploy(image);
    expect(step.failed).toBe(false);
    expect(step.outputs).toMatchObject({ status: 'succeeded', 'task-definition-arn': `arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:2`, smoke: 'not-run' });
    expect(step.outputs['deployment-id']).toMatch(/^ecs-svc\/\d{19}$/);
    const { taskDefinition } = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: step.outputs['task-definition-arn'] }));
    expect(taskDefinition!.containerDefinitions!.find((c) => c.name === CONTAINER)!.image).toBe(image);

    expect(step.summary).toContain('## mlship deploy: ✅ rolled out');
    expect(step.summary).toContain(`| digest | \`sha256:${'a'.repeat(64)}\` |`);
    expect(step.summary).toContain(`| image | \`${image}\` |`);
    expect(step.summary).toContain(`| deployment | \`${step.outputs['deployment-id']}\` (\`SUCCESSFUL\`) |`);
    for (const [name, entry] of Object.entries(fixture.lock.models)) expect(step.summary).toContain(`| \`${name}\` | \`${entry.version}\` | \`${entry.sha256}\` |`);
    expect(step.summary).toContain("The GitHub deployment record is the one this job's `environment:` creates");
    expect(step.log).not.toContain('::error');
    expect(step.log).not.toContain('secret');
  });

  it('fails the job on a circuit-breaker rollback: the rollout, rollback and stopped-task reasons in the log and the summary', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 2, failedTasks: 2, stop: { reason: 'Essential container in task exited', exitCode: 137 } });
    const step = await deploy(imageOf('b'));
    expect(step.failed).toBe(true);
    expect(step.outputs.status).toBe('failed');
    expect(step.outputs['task-definition-arn']).toMatch(/:2$/);
    expect(step.log).toContain('::error title=mlship deploy failed::rollout: ECS deployment circuit breaker: tasks failed to start.');
    expect(step.log).toContain('::error title=mlship deploy failed::rollback: ECS rolled the deployment back (Circuit Breaker)');
    expect(step.log.match(/::error title=mlship deploy failed::task: Essential container in task exited \(serving: exit code 137\)/g)).toHaveLength(2);
    expect(step.log).toContain(`::error::the deployment of ${imageOf('b')} failed: ECS deployment circuit breaker: tasks failed to start.`);
    expect(step.summary).toContain('## mlship deploy: ❌ failed');
    expect(step.summary).toContain('### Why');
    expect(step.summary).toContain('- **rollback**: ECS rolled the deployment back \\(Circuit Breaker\\)');
    expect(step.summary.match(/- \*\*task\*\*: Essential container in task exited \\\(serving\\: exit code 137\\\) \(`arn:aws:ecs:/g)).toHaveLength(2);
    expect(step.summary).toContain(`| digest | \`sha256:${'b'.repeat(64)}\` |`);
  });

  it('times out after the timeout input, saying ECS may still finish; the job fails', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'stuck' });
    const clock = instantClock();
    const started = clock.now();
    const step = await deploy(imageOf('f'), { timeout: '2' }, {}, clock);
    expect(step.failed).toBe(true);
    expect(step.outputs.status).toBe('timed-out');
    expect(clock.now() - started).toBe(2 * 60_000);
    expect(step.log).toContain('did not finish within 120 s; ECS may still complete it or roll it back');
    expect(step.summary).toContain('## mlship deploy: ⏱️ timed out');
  });

  it('skips when the service already runs the digest: nothing registered, the job passes', async () => {
    [world, fixture] = await Promise.all([startWorld({ image: imageOf('c') }), writeFixture()]);
    const step = await deploy(imageOf('c'));
    expect(step.failed).toBe(false);
    expect(step.outputs).toMatchObject({ status: 'skipped', 'task-definition-arn': world.initialTaskDefinition, smoke: 'not-run' });
    expect(world.fake.callsOf('RegisterTaskDefinition')).toEqual([]);
    expect(world.fake.callsOf('UpdateService')).toEqual([]);
    expect(step.summary).toContain('## mlship deploy: ⏭️ unchanged: the service already runs this image');
    expect(step.summary).toContain('- **unchanged**: the service already runs');
  });

  it('refuses an image that is not pinned by digest, before any ECS call', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    const step = await deploy('111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving:latest');
    expect(step.failed).toBe(true);
    expect(step.log).toMatch(/::error::field "image": the image ".*:latest" is not pinned by digest/);
    expect(world.fake.calls).toEqual([]);
    expect(step.summary).toMatch(/^## mlship deploy: ❌ error\n\nfield &quot;image&quot;\\: the image/);
  });

  it('a service that is not there, or an ECS error, fails the step with one line', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    const missing = await deploy(imageOf('a'), { service: 'nope' });
    expect(missing.failed).toBe(true);
    expect(missing.log).toContain(`::error::field "service": ECS service "nope" is not active in cluster "${CLUSTER}" (not found)`);
    const cluster = await deploy(imageOf('a'), { cluster: 'nope' });
    expect(cluster.failed).toBe(true);
    expect(cluster.log).toContain('::error::ECS DescribeServices failed: ClusterNotFoundException: Cluster not found.');
  });

  it('refuses a timeout that is not whole minutes', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    const step = await deploy(imageOf('a'), { timeout: '90s' });
    expect(step.failed).toBe(true);
    expect(step.log).toContain('::error::field "timeout": the timeout must be a whole number of minutes from 1 to 360, got "90s"');
    expect(world.fake.calls).toEqual([]);
  });

  it('with refresh-role but no OIDC endpoint (no id-token: write), warns and uses the credentials in the environment', async () => {
    [world, fixture] = await Promise.all([startWorld(), writeFixture()]);
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 0 });
    const step = await deploy(imageOf('a'), { 'refresh-role': 'arn:aws:iam::111122223333:role/Mlship-GitHubDeployRole' }, { ACTIONS_ID_TOKEN_REQUEST_URL: undefined });
    expect(step.failed).toBe(false);
    expect(step.log).toContain('::warning::refresh-role is set but the job cannot mint OIDC tokens');
  });

  it('with refresh-role, a ten-minute rollout on six-minute sessions renews them with fresh OIDC tokens', async () => {
    const clock = instantClock();
    const issuer = tokenIssuer();
    const role = 'arn:aws:iam::111122223333:role/Mlship-GitHubDeployRole';
    const sub = 'repo:acme/models:environment:production';
    const sts: FakeSts = await startStsFake({ publicKey: issuer.publicKey, roleArn: role, subjects: [sub], credentialLifetimeMs: 6 * 60_000, clock: clock.now });
    closers.push(() => sts.close());
    // The runner's OIDC endpoint: a token for each request that carries the job's request token.
    const asked: string[] = [];
    const oidc = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      const now = Math.floor(clock.now() / 1000);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: issuer.mint({ sub, iat: now, exp: now + 300 }) }));
    });
    await new Promise<void>((resolve) => oidc.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => oidc.close(resolve)));
    [world, fixture] = await Promise.all([startWorld({ keys: sts.keyCheck }), writeFixture()]);
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 40 });
    const step = await deploy(
      imageOf('d'),
      { 'refresh-role': role },
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${(oidc.address() as AddressInfo).port}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'job-request-token',
        MLSHIP_STS_ENDPOINT: sts.url,
      },
      clock,
    );
    expect(step.failed).toBe(false);
    expect(step.outputs.status).toBe('succeeded');
    // 40 polls of 15 s outlast one six-minute session (renewed five minutes before it ends).
    expect(sts.issued.length).toBeGreaterThanOrEqual(3);
    expect(asked).toHaveLength(sts.issued.length);
    expect(asked.every((a) => a === '/token?api-version=2.0&audience=sts.amazonaws.com Bearer job-request-token')).toBe(true);
    expect(sts.issued.every((c) => c.roleSessionName === 'mlship-deploy-4242')).toBe(true);
    expect(world.fake.calls.filter((c) => c.error)).toEqual([]);
    // the tokens are masked; no credentials appear in the log
    expect(step.log).toContain('::add-mask::');
    for (const c of sts.issued) expect(step.log).not.toContain(c.secretAccessKey);
  });
});
