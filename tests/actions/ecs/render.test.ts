/**
 * Rendering the next revision (pure): the image pinned by digest, the MLSHIP_* environment merged
 * in, exactly the read-only fields stripped (checked against the SDK's own schemas), empty values
 * dropped, and every field RegisterTaskDefinition accepts kept, tags included.
 */
import { RegisterTaskDefinitionRequest$, TaskDefinition$ } from '@aws-sdk/client-ecs';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { DeployError } from '../../../actions/lib/ecs/errors.ts';
import { digestOf, pinnedImage } from '../../../actions/lib/ecs/image.ts';
import { READ_ONLY_FIELDS, mergeEnvironment, renderTaskDefinition, workersFor } from '../../../actions/lib/ecs/render.ts';
import { memberNames } from '../../fakes/ecs/schema.ts';
import { CONTAINER, imageOf } from '../../fakes/ecs/world.ts';

/** A DescribeTaskDefinition answer as ECS gives it for the CDK app's task definition. */
function described(overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/mlship-serving:7',
    family: 'mlship-serving',
    revision: 7,
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: new Date('2026-11-30T10:00:00Z'),
    registeredBy: 'arn:aws:sts::111122223333:assumed-role/cfn/AWSCloudFormation',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '1024',
    memory: '2048',
    executionRoleArn: 'arn:aws:iam::111122223333:role/exec',
    taskRoleArn: 'arn:aws:iam::111122223333:role/task',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    enableFaultInjection: true,
    ephemeralStorage: { sizeInGiB: 30 },
    volumes: [],
    placementConstraints: [],
    containerDefinitions: [
      {
        name: CONTAINER,
        image: 'public.ecr.aws/docker/library/busybox:1.37',
        command: ['sh', '-c', 'httpd'],
        essential: true,
        environment: [{ name: 'MLSHIP_MAX_ROWS', value: '5000' }, { name: 'EMPTY', value: '' }],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
        portMappings: [{ containerPort: 8080, protocol: 'tcp', name: 'http' }],
        linuxParameters: { initProcessEnabled: true, capabilities: { add: [], drop: [] } },
      },
      { name: 'sidecar', image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0', essential: false, environment: [] },
    ],
    ...overrides,
  };
}

const IMAGE = imageOf('a');
const render = (overrides: Partial<TaskDefinition> = {}, environment?: Record<string, string>) =>
  renderTaskDefinition({ current: described(overrides), tags: [{ key: 'team', value: 'models' }, { key: 'aws:cloudformation:stack-name', value: 'Mlship' }], container: CONTAINER, image: IMAGE, environment });

describe('renderTaskDefinition', () => {
  it('strips exactly the DescribeTaskDefinition members RegisterTaskDefinition does not have (per the SDK schemas)', () => {
    const described = memberNames(TaskDefinition$);
    const accepted = new Set(memberNames(RegisterTaskDefinitionRequest$));
    expect([...READ_ONLY_FIELDS].sort()).toEqual(described.filter((m) => !accepted.has(m)).sort());
    const out = render() as unknown as Record<string, unknown>;
    for (const field of READ_ONLY_FIELDS) expect(out).not.toHaveProperty(field);
  });

  it('keeps every field RegisterTaskDefinition accepts: runtimePlatform, enableFaultInjection, restartPolicy, ephemeralStorage, roles, the other container', () => {
    const out = render();
    expect(out).toMatchObject({
      family: 'mlship-serving',
      cpu: '1024',
      memory: '2048',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::111122223333:role/exec',
      taskRoleArn: 'arn:aws:iam::111122223333:role/task',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      enableFaultInjection: true,
      ephemeralStorage: { sizeInGiB: 30 },
    });
    expect(out.containerDefinitions![0]).toMatchObject({ restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 }, linuxParameters: { initProcessEnabled: true } });
    expect(out.containerDefinitions![1]).toEqual({ name: 'sidecar', image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0', essential: false });
    // false is a value, not an empty one
    expect(render({ enableFaultInjection: false }).enableFaultInjection).toBe(false);
  });

  it('sets the image of the named container only, and drops its placeholder command', () => {
    const out = render();
    expect(out.containerDefinitions!.map((c) => c.image)).toEqual([IMAGE, 'public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0']);
    expect(out.containerDefinitions![0]).not.toHaveProperty('command');
  });

  it('drops empty values at every depth but keeps empty strings', () => {
    const out = render();
    expect(out).not.toHaveProperty('volumes');
    expect(out).not.toHaveProperty('placementConstraints');
    const serving = out.containerDefinitions![0]!;
    for (const key of ['mountPoints', 'volumesFrom', 'systemControls']) expect(serving).not.toHaveProperty(key);
    expect(serving.linuxParameters).toEqual({ initProcessEnabled: true });
    expect(serving.environment).toContainEqual({ name: 'EMPTY', value: '' });
  });

  it('merges the MLSHIP_* environment in, with MLSHIP_WORKERS from the task vCPUs', () => {
    const out = render({}, { MLSHIP_MAX_ROWS: '100', MLSHIP_COMMIT: 'abc' });
    expect(out.containerDefinitions![0]!.environment).toEqual([
      { name: 'MLSHIP_MAX_ROWS', value: '100' },
      { name: 'EMPTY', value: '' },
      { name: 'MLSHIP_WORKERS', value: '1' },
      { name: 'MLSHIP_COMMIT', value: 'abc' },
    ]);
    expect(render({ cpu: '4096' }).containerDefinitions![0]!.environment).toContainEqual({ name: 'MLSHIP_WORKERS', value: '4' });
    expect(render({ cpu: '256' }).containerDefinitions![0]!.environment).toContainEqual({ name: 'MLSHIP_WORKERS', value: '1' });
    expect(render({}, { MLSHIP_WORKERS: '3' }).containerDefinitions![0]!.environment).toContainEqual({ name: 'MLSHIP_WORKERS', value: '3' });
    expect([workersFor('512'), workersFor('2048'), workersFor(3072), workersFor(undefined), workersFor('1 vCPU')]).toEqual([1, 2, 3, undefined, 1]);
    expect(mergeEnvironment([{ name: 'A', value: '1' }], { A: '2', B: '3' })).toEqual([{ name: 'A', value: '2' }, { name: 'B', value: '3' }]);
  });

  it("carries the revision's tags over, without the aws: ones ECS reserves", () => {
    expect(render().tags).toEqual([{ key: 'team', value: 'models' }]);
    expect(renderTaskDefinition({ current: described(), container: CONTAINER, image: IMAGE })).not.toHaveProperty('tags');
  });

  it('does not change its input', () => {
    const current = described();
    const before = structuredClone(current);
    renderTaskDefinition({ current, container: CONTAINER, image: IMAGE, environment: { MLSHIP_X: '1' } });
    expect(current).toEqual(before);
  });

  it('refuses a container that is not there, and variables that are not MLSHIP_*', () => {
    expect(() => renderTaskDefinition({ current: described(), container: 'web', image: IMAGE })).toThrow(DeployError);
    expect(() => renderTaskDefinition({ current: described(), container: 'web', image: IMAGE })).toThrow('has no container "web" (it has "serving", "sidecar")');
    expect(() => render({}, { PATH: '/tmp' })).toThrow('environment variable "PATH" is not an MLSHIP_* name');
  });
});

describe('pinnedImage', () => {
  it('accepts <repository>@sha256:<64 hex> only', () => {
    expect(pinnedImage(IMAGE)).toEqual({ image: IMAGE, digest: `sha256:${'a'.repeat(64)}` });
    expect(digestOf(IMAGE)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(digestOf('busybox:1.37')).toBeUndefined();
  });

  it('refuses a tag, a tag beside a digest, a short digest and nonsense, naming the field', () => {
    for (const bad of ['111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving:v1', '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving', `111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving:v1@sha256:${'a'.repeat(64)}`, 'repo@sha256:abc', 'UPPER/Case', 'oci:/tmp/layout']) {
      const err = (() => {
        try {
          pinnedImage(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(DeployError);
      expect((err as DeployError).place).toEqual({ field: 'image' });
    }
    expect(() => pinnedImage('repo:latest')).toThrow('is not pinned by digest');
  });
});
