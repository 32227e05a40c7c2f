/**
 * The ECS fake itself, through the unmodified @aws-sdk/client-ecs: it refuses what ECS refuses
 * (checked against the SDK's own schemas), keeps state, and plays deployments out as ECS does,
 * with field and enum values the SDK declares.
 */
import {
  DeploymentRolloutState,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  DesiredStatus,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  ServiceDeploymentRollbackMonitorsStatus,
  ServiceDeploymentStatus,
  TaskStopCode,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { Service ,
  ECSClient} from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER, CONTAINER, SERVICE, cdkTaskDefinition, clientOf, imageOf, rewritingRequests, startWorld, withExtraMembers } from './world.ts';
import type { World } from './world.ts';
import { validateOutput } from './schema.ts';
import type { Json } from './task-definitions.ts';

let world: World;
afterEach(async () => {
  await world?.fake.close();
});

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
const describe1 = async (ecs: ECSClient): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;

async function newRevision(w: World, digit: string): Promise<string> {
  const { tags: _tags, ...definition } = cdkTaskDefinition(imageOf(digit));
  const answer = await w.ecs.send(new RegisterTaskDefinitionCommand(definition as never));
  return answer.taskDefinition!.taskDefinitionArn!;
}

describe('requests are checked against the SDK schema', () => {
  it('refuses read-only task definition fields in RegisterTaskDefinition, as ECS does (they are not input members)', async () => {
    world = await startWorld();
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt']) {
      const client = withExtraMembers(clientOf(world.fake), { [field]: field === 'revision' ? 3 : 'x' });
      const { tags: _tags, ...definition } = cdkTaskDefinition(imageOf('b'));
      const err = await errorOf(client.send(new RegisterTaskDefinitionCommand(definition as never)));
      expect(err?.name, field).toBe('ClientException');
      expect(err?.message).toContain(`Unknown parameter in input: "${field}"`);
      expect(err?.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('refuses a missing required member, a wrong type and a value outside an enum, naming the member', async () => {
    world = await startWorld();
    const missing = await errorOf(world.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x' } as never)));
    expect([missing?.name, missing?.message]).toEqual(['InvalidParameterException', 'Missing required parameter in input: "containerDefinitions"']);
    const wrongType = await errorOf(world.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [{ name: 'a', image: 'b', cpu: '1' as never }] })));
    expect(wrongType?.message).toBe("Invalid parameter at 'containerDefinitions[0].cpu': must be a number");
    const notEnum = await errorOf(world.ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'DEAD' as never })));
    expect([notEnum?.name, notEnum?.message]).toEqual(['InvalidParameterException', "Invalid parameter at 'desiredStatus': 'DEAD' is not one of PENDING, RUNNING, STOPPED"]);
    const nested = await errorOf(world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: SERVICE, include: ['TAG' as never] })));
    expect(nested?.message).toBe("Invalid parameter at 'include[0]': 'TAG' is not one of TAGS");
  });

  it('refuses unknown members at any depth, and reserved aws: tags', async () => {
    world = await startWorld();
    const client = withExtraMembers(clientOf(world.fake), { serviceNames: ['typo'] });
    const err = await errorOf(client.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] })));
    expect(err?.name).toBe('ClientException');
    const reserved = await errorOf(world.ecs.send(new RegisterTaskDefinitionCommand(cdkTaskDefinition(imageOf('c')) as never)));
    expect([reserved?.name, reserved?.message]).toEqual(['InvalidParameterException', "Tag key 'aws:cloudformation:stack-name' is invalid: tag keys beginning with 'aws:' are reserved for system use."]);
  });

  it('answers unsigned, badly signed and unknown-key requests, unknown operations and other errors in the AWS JSON error shape', async () => {
    world = await startWorld();
    const unsigned = await fetch(world.fake.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices' }, body: '{}' });
    expect([unsigned.status, ((await unsigned.json()) as Json).__type]).toEqual([403, 'MissingAuthenticationTokenException']);
    const wrongSecret = await errorOf(describe1(clientOf(world.fake, { accessKeyId: 'AKIDTEST', secretAccessKey: 'not the secret' })));
    expect([wrongSecret?.name, wrongSecret?.$metadata?.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
    const unknownKey = await errorOf(describe1(clientOf(world.fake, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'secret' })));
    expect(unknownKey?.name).toBe('UnrecognizedClientException');
    const unknown = rewritingRequests(clientOf(world.fake), (body, headers) => {
      headers['x-amz-target'] = 'AmazonEC2ContainerServiceV20141113.DescribeNothing';
      return body;
    });
    expect((await errorOf(describe1(unknown)))?.name).toBe('UnknownOperationException');
    const notFound = await errorOf(world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'nope', taskDefinition: SERVICE })));
    expect(notFound?.name).toBe('ServiceNotFoundException');
    const noCluster = await errorOf(world.ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: [SERVICE] })));
    expect(noCluster?.name).toBe('ClusterNotFoundException');
    const noRevision = await errorOf(world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${SERVICE}:99` })));
    expect([noRevision?.name, noRevision?.message]).toEqual(['ClientException', 'Unable to describe task definition.']);
  });

  it("checks its own answers against the SDK's output shapes too", () => {
    expect(validateOutput('DescribeServices', { services: [{ serviceName: SERVICE, deployments: [{ id: 'ecs-svc/1', rolloutState: 'IN_PROGRESS' }] }] })).toBeUndefined();
    expect(validateOutput('DescribeServices', { services: [{ serviceName: SERVICE, deployments: [{ id: 'ecs-svc/1', rolloutStatus: 'IN_PROGRESS' }] }] })?.message).toContain('Unknown parameter in services[0].deployments[0]: "rolloutStatus"');
    expect(validateOutput('DescribeServiceDeployments', { serviceDeployments: [{ status: 'ROLLED_BACK' }] })?.message).toContain("'ROLLED_BACK' is not one of");
  });

  it('throttles the first N calls with ThrottlingException, then answers', async () => {
    world = await startWorld();
    world.fake.throttle(2, ['DescribeServices']);
    expect((await errorOf(describe1(world.ecs)))?.name).toBe('ThrottlingException');
    expect((await errorOf(world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: SERVICE }))))).toBeUndefined();
    expect((await errorOf(describe1(world.ecs)))?.name).toBe('ThrottlingException');
    expect((await describe1(world.ecs)).serviceName).toBe(SERVICE);
  });
});

describe('task definitions', () => {
  it('registers revisions in the family with the service-set fields; tags only with include TAGS', async () => {
    world = await startWorld();
    const arn = await newRevision(world, 'b');
    expect(arn).toBe(`arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:2`);
    const plain = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: SERVICE }));
    expect(plain.taskDefinition).toMatchObject({ taskDefinitionArn: arn, revision: 2, status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE'] });
    expect(plain.taskDefinition!.registeredAt).toBeInstanceOf(Date);
    expect(plain.tags).toBeUndefined();
    const tagged = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${SERVICE}:1`, include: ['TAGS'] }));
    expect(tagged.tags).toEqual([{ key: 'aws:cloudformation:stack-name', value: 'Mlship' }, { key: 'team', value: 'models' }]);
    // ECS answers empty lists a container never had: what a deploy must not send back blindly.
    expect(tagged.taskDefinition!.containerDefinitions![0]).toMatchObject({ mountPoints: [], volumesFrom: [], systemControls: [] });
  });
});

describe('deployments play out as chosen', () => {
  it('success: a new PRIMARY ecs-svc/ deployment IN_PROGRESS, then COMPLETED; its record SUCCESSFUL; old tasks drained', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'success', polls: 2 });
    const arn = await newRevision(world, 'b');
    const updated = await world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: arn }));
    const deployments = updated.service!.deployments!;
    expect(deployments.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'IN_PROGRESS'], ['ACTIVE', 'COMPLETED']]);
    expect(deployments[0]!.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(updated.service!.currentServiceDeployment).toMatch(new RegExp(`^arn:aws:ecs:eu-west-1:111122223333:service-deployment/${CLUSTER}/${SERVICE}/`));
    const recordStatus = async () => (await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [updated.service!.currentServiceDeployment!] }))).serviceDeployments![0]!.status;
    expect(await recordStatus()).toBe('PENDING');
    expect((await describe1(world.ecs)).deployments![0]!.rolloutState).toBe('IN_PROGRESS');
    expect(await recordStatus()).toBe('IN_PROGRESS');
    expect((await describe1(world.ecs)).deployments![0]!.rolloutState).toBe('IN_PROGRESS');
    const done = await describe1(world.ecs);
    expect(done.deployments!.map((d) => [d.id, d.status, d.rolloutState])).toEqual([[deployments[0]!.id, 'PRIMARY', 'COMPLETED']]);
    expect(done.taskDefinition).toBe(arn);
    const record = (await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [updated.service!.currentServiceDeployment!] }))).serviceDeployments![0]!;
    expect(record).toMatchObject({ status: 'SUCCESSFUL', targetServiceRevision: { arn: expect.stringContaining(':service-revision/') } });
    expect(record.finishedAt).toBeInstanceOf(Date);
    const stopped = await world.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    const tasks = (await world.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns! }))).tasks!;
    expect(tasks.map((t) => t.stopCode)).toEqual(['ServiceSchedulerInitiated', 'ServiceSchedulerInitiated']);
  });

  it('circuit breaker: rollout FAILED, tasks STOPPED with stoppedReason, record ROLLBACK_SUCCESSFUL, the old revision PRIMARY again', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 1, failedTasks: 3 });
    const arn = await newRevision(world, 'b');
    const updated = await world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: arn }));
    const ours = updated.service!.deployments![0]!.id!;
    await describe1(world.ecs);
    const tripped = await describe1(world.ecs);
    const failed = tripped.deployments!.find((d) => d.id === ours)!;
    expect([failed.status, failed.rolloutState, failed.rolloutStateReason, failed.failedTasks]).toEqual(['ACTIVE', 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.', 3]);
    expect(tripped.deployments!.find((d) => d.status === 'PRIMARY')!.taskDefinition).toBe(world.initialTaskDefinition);
    const recordArn = updated.service!.currentServiceDeployment!;
    const during = (await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [recordArn] }))).serviceDeployments![0]!;
    expect(during).toMatchObject({ status: 'ROLLBACK_IN_PROGRESS', rollback: { reason: 'Circuit Breaker' }, deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 10 } });
    const after = await describe1(world.ecs);
    expect(after.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState])).toEqual([['PRIMARY', world.initialTaskDefinition, 'COMPLETED']]);
    const record = (await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [recordArn] }))).serviceDeployments![0]!;
    expect(record.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(record.rollback!.serviceRevisionArn).toMatch(/:service-revision\/mlship\/mlship-serving\/0+1$/);
    const stopped = await world.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    const tasks = (await world.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns! }))).tasks!;
    const ourTasks = tasks.filter((t) => t.startedBy === ours);
    expect(ourTasks.map((t) => [t.stoppedReason, t.stopCode, t.containers![0]!.exitCode])).toEqual(Array(3).fill(['Essential container in task exited', 'EssentialContainerExited', 1]));
    expect(ourTasks.every((t) => t.stoppedAt instanceof Date && t.taskDefinitionArn === arn)).toBe(true);
  });

  it("replaced: someone else's UpdateService becomes PRIMARY, ours ACTIVE and its record STOPPED", async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'replaced', polls: 0 });
    const arn = await newRevision(world, 'b');
    const updated = await world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: arn }));
    const after = await describe1(world.ecs);
    const primary = after.deployments!.find((d) => d.status === 'PRIMARY')!;
    expect(primary.taskDefinition).toBe(`arn:aws:ecs:eu-west-1:111122223333:task-definition/${SERVICE}:3`);
    expect(after.deployments!.find((d) => d.id === updated.service!.deployments![0]!.id)!.status).toBe('ACTIVE');
    const briefs = (await world.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }))).serviceDeployments!;
    expect(briefs.map((b) => b.status)).toEqual(['PENDING', 'STOPPED', 'SUCCESSFUL']);
  });

  it('vanish: the deployment and its record disappear', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'vanish', polls: 0 });
    const updated = await world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: await newRevision(world, 'b') }));
    const after = await describe1(world.ecs);
    expect(after.deployments!.map((d) => d.id)).not.toContain(updated.service!.deployments![0]!.id);
    const described = await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [updated.service!.currentServiceDeployment!] }));
    expect([described.serviceDeployments, described.failures![0]!.reason]).toEqual([[], 'MISSING']);
  });

  it('uses only values the SDK declares for rolloutState, service deployment status, circuit breaker status, desired status and stop code', async () => {
    world = await startWorld();
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 0 });
    const updated = await world.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: await newRevision(world, 'b') }));
    const seen = { rollout: new Set<string>(), status: new Set<string>(), breaker: new Set<string>(), desired: new Set<string>(), stop: new Set<string>() };
    for (let i = 0; i < 3; i++) {
      for (const d of (await describe1(world.ecs)).deployments!) seen.rollout.add(d.rolloutState!);
      const record = (await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [updated.service!.currentServiceDeployment!] }))).serviceDeployments![0]!;
      seen.status.add(record.status!);
      seen.breaker.add(record.deploymentCircuitBreaker!.status!);
    }
    const stopped = await world.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' }));
    for (const t of (await world.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: stopped.taskArns! }))).tasks!) {
      seen.desired.add(t.desiredStatus!);
      seen.stop.add(t.stopCode!);
    }
    const within = (values: Set<string>, declared: Record<string, string>) => [...values].every((v) => Object.values(declared).includes(v));
    expect(within(seen.rollout, DeploymentRolloutState)).toBe(true);
    expect(within(seen.status, ServiceDeploymentStatus)).toBe(true);
    expect(within(seen.breaker, ServiceDeploymentRollbackMonitorsStatus)).toBe(true);
    expect(within(seen.desired, DesiredStatus)).toBe(true);
    expect(within(seen.stop, TaskStopCode)).toBe(true);
    expect(seen.rollout).toEqual(new Set(['IN_PROGRESS', 'FAILED', 'COMPLETED']));
    expect(seen.status).toEqual(new Set(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']));
  });

  it('keeps the container name the CDK app gives', async () => {
    world = await startWorld();
    const current = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: world.initialTaskDefinition }));
    expect(current.taskDefinition!.containerDefinitions!.map((c) => c.name)).toEqual([CONTAINER]);
  });
});
