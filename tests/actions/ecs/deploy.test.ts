/**
 * deployImage against the ECS fake, through the real @aws-sdk/client-ecs: the revision it
 * registers, the deployment it follows (by id), and what it returns for each way a rollout ends.
 * Time is an instant clock: polls and timeouts cost no waiting.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { deployImage } from '../../../actions/lib/ecs/deploy.ts';
import type { DeployRequest } from '../../../actions/lib/ecs/deploy.ts';
import { DeployError, EcsCallError } from '../../../actions/lib/ecs/errors.ts';
import type { DeployResult } from '../../../actions/lib/ecs/outcome.ts';
import { CLUSTER, CONTAINER, SERVICE, imageOf, startWorld } from '../../fakes/ecs/world.ts';
import type { World } from '../../fakes/ecs/world.ts';
import { instantClock } from './helpers.ts';

let world: World;
afterEach(async () => {
  await world?.fake.close();
});

const request = (image: string, extra: Partial<DeployRequest> = {}): DeployRequest => ({ cluster: CLUSTER, service: SERVICE, container: CONTAINER, image, pollIntervalMs: 15_000, ...extra });
const deploy = (image: string, extra: Partial<DeployRequest> = {}, clock = instantClock()) => deployImage(world.ecs, request(image, extra), { clock, retry: { baseDelayMs: 1 } });
const primaryOf = async () => (await world.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!.deployments!.find((d) => d.status === 'PRIMARY')!;
const kinds = (result: DeployResult) => result.reasons.map((r) => r.kind);

describe('deployImage', () => {
  it('registers the next revision from the running one and follows its deployment to COMPLETED', async () => {
    world = await startWorld();
    const image = imageOf('a');
    const result = await deploy(image, { environment: { MLSHIP_COMMIT: '0123abc' } });
    expect(result).toMatchObject({ status: 'succeeded', taskDefinitionArn: `arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:2`, image, reasons: [], serviceDeploymentStatus: 'SUCCESSFUL' });
    expect(result.deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(result.previous).toEqual({ taskDefinitionArn: world.initialTaskDefinition, image: 'public.ecr.aws/docker/library/busybox:1.37' });
    expect(result.serviceDeploymentArn).toContain(`:service-deployment/${CLUSTER}/${SERVICE}/`);
    expect(await primaryOf()).toMatchObject({ id: result.deploymentId, taskDefinition: result.taskDefinitionArn, rolloutState: 'COMPLETED' });
    expect(world.fake.calls.slice(0, 4).map((c) => c.operation)).toEqual(['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'UpdateService']);
    expect(world.fake.callsOf('DescribeTaskDefinition')[0]!.input).toEqual({ taskDefinition: world.initialTaskDefinition, include: ['TAGS'] });
    expect(world.fake.callsOf('UpdateService')[0]!.input).toEqual({ cluster: CLUSTER, service: SERVICE, taskDefinition: result.taskDefinitionArn });
    expect(world.fake.callsOf('DescribeServiceDeployments').every((c) => JSON.stringify(c.input) === JSON.stringify({ serviceDeploymentArns: [result.serviceDeploymentArn] }))).toBe(true);
  });

  it('keeps runtimePlatform, enableFaultInjection, restartPolicy and the tags through RegisterTaskDefinition; sets the image and MLSHIP_*', async () => {
    world = await startWorld();
    const result = await deploy(imageOf('a'), { environment: { MLSHIP_COMMIT: '0123abc' } });
    const { taskDefinition, tags } = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.taskDefinitionArn, include: ['TAGS'] }));
    expect(taskDefinition).toMatchObject({
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      enableFaultInjection: false,
      cpu: '2048',
      executionRoleArn: 'arn:aws:iam::111122223333:role/Mlship-ServingExecutionRole',
      requiresCompatibilities: ['FARGATE'],
    });
    const serving = taskDefinition!.containerDefinitions![0]!;
    expect(serving).toMatchObject({ image: imageOf('a'), restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 }, stopTimeout: 30, logConfiguration: { logDriver: 'awslogs' } });
    expect(serving.command).toBeUndefined();
    expect(serving.environment).toEqual([
      { name: 'MLSHIP_MAX_ROWS', value: '5000' },
      { name: 'MLSHIP_WORKERS', value: '2' },
      { name: 'EMPTY_ON_PURPOSE', value: '' },
      { name: 'MLSHIP_COMMIT', value: '0123abc' },
    ]);
    expect(tags).toEqual([{ key: 'team', value: 'models' }]);
  });

  it('circuit breaker: failed, with the rollout and rollback reasons and each stopped task of THIS deployment', async () => {
    world = await startWorld();
    expect((await deploy(imageOf('a'))).status).toBe('succeeded'); // drains the first tasks: stopped tasks of another deployment
    const good = (await primaryOf()).taskDefinition;
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 3, failedTasks: 3, stop: { reason: 'Essential container in task exited', exitCode: 137 } });
    const result = await deploy(imageOf('b'));
    expect(result).toMatchObject({
      status: 'failed',
      taskDefinitionArn: `arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:3`,
      serviceDeploymentStatus: 'ROLLBACK_IN_PROGRESS',
      failedTasks: 3,
      rollback: { reason: 'Circuit Breaker', serviceRevisionArn: expect.stringContaining(':service-revision/') },
      circuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 10 },
    });
    expect(kinds(result)).toEqual(['rollout', 'rollback', 'circuit-breaker', 'rollback', 'task', 'task', 'task']);
    expect(result.reasons[0]!.message).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(result.reasons.filter((r) => r.kind === 'task').map((r) => r.message)).toEqual(Array(3).fill('Essential container in task exited (serving: exit code 137)'));
    expect(result.reasons.every((r) => r.kind !== 'task' || r.taskArn?.startsWith(`arn:aws:ecs:eu-west-1:111122223333:task/${CLUSTER}/`))).toBe(true);
    expect((await primaryOf()).taskDefinition).toBe(good);
  });

  it('finds its service deployment by listing those created since the update when UpdateService does not name it', async () => {
    world = await startWorld();
    // An earlier deployment, a moment before: its record is in the list too, and is not ours.
    const earlier = await deploy(imageOf('a'));
    world.fake.services.namesCurrentServiceDeployment = false;
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 1 });
    const result = await deploy(imageOf('b'));
    expect(result).toMatchObject({ status: 'failed', serviceDeploymentStatus: 'ROLLBACK_IN_PROGRESS', rollback: { reason: 'Circuit Breaker' } });
    const listed = world.fake.callsOf('ListServiceDeployments');
    expect(listed).toHaveLength(1);
    expect(listed[0]!.input).toMatchObject({ cluster: CLUSTER, service: SERVICE, createdAt: { after: expect.any(Number) } });
    const described = world.fake.callsOf('DescribeServiceDeployments').at(-1)!.input as { serviceDeploymentArns: string[] };
    expect(described.serviceDeploymentArns).toEqual([result.serviceDeploymentArn]);
    expect(result.serviceDeploymentArn).not.toBe(earlier.serviceDeploymentArn);
    expect(result.serviceDeploymentArn).toMatch(/:service-deployment\//);
  });

  it('an image ECS cannot pull: the pull error once per task, no exit code', async () => {
    world = await startWorld();
    const pullError = `CannotPullContainerError: pull image manifest has been retried 7 time(s): ${imageOf('a')}: not found`;
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 1, failedTasks: 2, stop: { pullError } });
    const result = await deploy(imageOf('a'));
    expect(result.reasons.filter((r) => r.kind === 'task').map((r) => r.message)).toEqual([pullError, pullError]);
  });

  it('still reports why the deploy failed when the stopped tasks cannot be read', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 1 });
    world.fake.throttle(1000, ['ListTasks']);
    const result = await deployImage(world.ecs, request(imageOf('a')), { clock: instantClock(), retry: { retries: 1, baseDelayMs: 1 } });
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['rollout', 'rollback', 'circuit-breaker', 'rollback', 'task']);
    expect(result.reasons.at(-1)!.message).toBe('the stopped tasks could not be read: ECS ListTasks failed: ThrottlingException: Rate exceeded');
  });

  it("someone else's UpdateService: failed, naming the deployment that replaced ours", async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'replaced', polls: 1 });
    const result = await deploy(imageOf('a'));
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['service-deployment', 'replaced']);
    expect(result.reasons[1]!.message).toContain(`(arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:3) replaced it as the primary deployment`);
  });

  it('a deployment that disappears: failed, saying so', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'vanish', polls: 1 });
    const result = await deploy(imageOf('a'));
    expect(result.status).toBe('failed');
    expect(kinds(result)).toEqual(['missing']);
    expect(result.reasons[0]!.message).toContain(`deployment ${result.deploymentId} is no longer on the service`);
  });

  it('times out after 30 minutes by default, polling every 15 s, and says ECS may still finish', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'stuck' });
    const clock = instantClock();
    const result = await deploy(imageOf('a'), {}, clock);
    expect(result.status).toBe('timed-out');
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(30 * 60_000);
    expect(clock.slept.every((ms) => ms === 15_000)).toBe(true);
    expect(result.reasons).toEqual([{ kind: 'timeout', message: `deployment ${result.deploymentId} did not finish within 1800 s; ECS may still complete it or roll it back` }]);
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'stuck' });
    const shortClock = instantClock();
    const short = await deploy(imageOf('b'), { timeoutMs: 1000, pollIntervalMs: 300 }, shortClock);
    expect([short.status, shortClock.slept]).toEqual(['timed-out', [300, 300, 300, 100]]);
  });

  it('retries throttled calls with backoff, and gives up with an EcsCallError when throttling lasts', async () => {
    world = await startWorld();
    world.fake.throttle(5);
    const clock = instantClock();
    const result = await deployImage(world.ecs, request(imageOf('a')), { clock, retry: { baseDelayMs: 100, maxDelayMs: 400 } });
    expect(result.status).toBe('succeeded');
    expect(world.fake.calls.slice(0, 6).map((c) => c.error ?? c.operation)).toEqual([...Array(5).fill('ThrottlingException'), 'DescribeServices']);
    // exponential, capped, half of it random
    const backoffs = clock.slept.slice(0, 5);
    for (const [i, ms] of [100, 200, 400, 400, 400].entries()) {
      expect(backoffs[i]).toBeGreaterThanOrEqual(ms / 2);
      expect(backoffs[i]).toBeLessThanOrEqual(ms);
    }
    world.fake.throttle(100);
    const err = await deployImage(world.ecs, request(imageOf('b')), { clock: instantClock(), retry: { retries: 2, baseDelayMs: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EcsCallError);
    expect(err).toMatchObject({ operation: 'DescribeServices', code: 'ThrottlingException' });
  });

  it('skips, and says so, when the service already runs the image; registers nothing', async () => {
    world = await startWorld({ image: imageOf('a') });
    const result = await deploy(imageOf('a'));
    expect(result).toMatchObject({ status: 'skipped', taskDefinitionArn: world.initialTaskDefinition, image: imageOf('a') });
    expect(result.reasons).toEqual([{ kind: 'unchanged', message: `the service already runs ${imageOf('a')} (${world.initialTaskDefinition}, deployment ${result.deploymentId})` }]);
    expect(world.fake.callsOf('RegisterTaskDefinition')).toEqual([]);
    expect(world.fake.callsOf('UpdateService')).toEqual([]);
  });

  it('follows the deployment of the same image still in flight (an earlier run timed out) instead of starting another', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 6 });
    const first = await deploy(imageOf('a'), { timeoutMs: 2, pollIntervalMs: 1 });
    expect(first.status).toBe('timed-out');
    const second = await deploy(imageOf('a'), { pollIntervalMs: 1 });
    expect(second).toMatchObject({ status: 'succeeded', deploymentId: first.deploymentId, taskDefinitionArn: first.taskDefinitionArn, serviceDeploymentArn: first.serviceDeploymentArn });
    expect(world.fake.callsOf('RegisterTaskDefinition')).toHaveLength(1);
  });

  it('deploys the same image again when its deployment FAILED without a rollback: a rerun is a retry', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 1, rollback: false });
    const first = await deploy(imageOf('a'));
    expect(first).toMatchObject({ status: 'failed', serviceDeploymentStatus: 'STOPPED', circuitBreaker: { status: 'TRIGGERED' } });
    expect(kinds(first)).toEqual(['rollout', 'service-deployment', 'circuit-breaker', 'task', 'task', 'task']);
    expect(await primaryOf()).toMatchObject({ id: first.deploymentId, rolloutState: 'FAILED' });
    const second = await deploy(imageOf('a'));
    expect(second.status).toBe('succeeded');
    expect(second.deploymentId).not.toBe(first.deploymentId);
    expect(world.fake.callsOf('RegisterTaskDefinition')).toHaveLength(2);
  });

  it('refuses a tag before calling ECS, and a container or service that is not there', async () => {
    world = await startWorld();
    await expect(deploy('111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving:latest')).rejects.toThrow(DeployError);
    expect(world.fake.calls).toEqual([]);
    await expect(deploy(imageOf('a'), { container: 'web' })).rejects.toThrow('has no container "web" (it has "serving")');
    await expect(deploy(imageOf('a'), { service: 'nope' })).rejects.toThrow('ECS service "nope" is not active in cluster "mlship" (not found)');
    expect(world.fake.callsOf('RegisterTaskDefinition')).toEqual([]);
  });
});
