/**
 * The world the ECS tests start from, as the CDK app leaves it (infra/constructs/serving-service.ts):
 * a cluster, the `serving` Fargate service, and the task definition CloudFormation registered,
 * with the fields other deploy tools have been known to drop (runtimePlatform,
 * enableFaultInjection, a container restartPolicy) and CloudFormation's tags.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Json } from './task-definitions.ts';
import { startEcsFake } from './api.ts';
import type { FakeEcs, KeyCheck } from './api.ts';

export const CLUSTER = 'mlship';
export const SERVICE = 'mlship-serving';
export const CONTAINER = 'serving';
export const REPOSITORY = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mlship-serving';
export const imageOf = (hexDigit: string) => `${REPOSITORY}@sha256:${hexDigit.repeat(64)}`;

export function cdkTaskDefinition(image = 'public.ecr.aws/docker/library/busybox:1.37'): Json {
  return {
    family: SERVICE,
    cpu: '2048',
    memory: '4096',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    executionRoleArn: 'arn:aws:iam::111122223333:role/Mlship-ServingExecutionRole',
    taskRoleArn: 'arn:aws:iam::111122223333:role/Mlship-ServingTaskRole',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    enableFaultInjection: false,
    containerDefinitions: [
      {
        name: CONTAINER,
        image,
        command: ['sh', '-c', 'exec httpd -f -p 8080 -h /www'],
        essential: true,
        portMappings: [{ containerPort: 8080, name: 'http', protocol: 'tcp' }],
        environment: [{ name: 'MLSHIP_MAX_ROWS', value: '5000' }, { name: 'MLSHIP_WORKERS', value: '9' }, { name: 'EMPTY_ON_PURPOSE', value: '' }],
        restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
        stopTimeout: 30,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'Mlship-Logs', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'serving' } },
      },
    ],
    tags: [
      { key: 'aws:cloudformation:stack-name', value: 'Mlship' },
      { key: 'team', value: 'models' },
    ],
  };
}

export interface World {
  fake: FakeEcs;
  ecs: ECSClient;
  initialTaskDefinition: string;
}

/** A running fake with the CDK service on `image`; the client does not retry (the library does). */
export async function startWorld(options: { image?: string; keys?: KeyCheck; desiredCount?: number } = {}): Promise<World> {
  const fake = await startEcsFake({ keys: options.keys });
  const initialTaskDefinition = fake.registerTaskDefinition(cdkTaskDefinition(options.image));
  fake.createService({ cluster: CLUSTER, name: SERVICE, taskDefinition: initialTaskDefinition, desiredCount: options.desiredCount ?? 2 });
  return { fake, ecs: clientOf(fake), initialTaskDefinition };
}

/** A client whose requests are changed after the SDK serialized them, before it signs them. */
export function rewritingRequests(client: ECSClient, rewrite: (body: Json, headers: Record<string, string>) => Json): ECSClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      // The SDK hands the serialized JSON on as bytes (or a string); put it back as a string.
      const request = args.request as { body?: string | Uint8Array; headers: Record<string, string> };
      const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      request.body = JSON.stringify(rewrite(JSON.parse(text) as Json, request.headers));
      request.headers['content-length'] = String(Buffer.byteLength(request.body));
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'rewriteRequests' },
  );
  return client;
}

/** A client whose requests carry extra members the SDK would never serialize (to test the fake). */
export function withExtraMembers(client: ECSClient, extra: Json): ECSClient {
  return rewritingRequests(client, (body) => ({ ...body, ...extra }));
}

/** A new client of the world's fake with the test keys and no retries. */
export function clientOf(fake: FakeEcs, credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }): ECSClient {
  return new ECSClient({ endpoint: fake.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
}
