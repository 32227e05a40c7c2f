/**
 * What the service runs now: DescribeServices for its task definition (and deployments), then
 * DescribeTaskDefinition with `include: ['TAGS']`, since tags only come back when asked for and a
 * new revision must carry them over.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { DeployError } from './errors.ts';
import type { Send } from './retry.ts';

export interface ServiceTarget {
  cluster: string;
  service: string;
}

export interface CurrentTask {
  service: Service;
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

export async function describeService(ecs: ECSClient, send: Send, target: ServiceTarget): Promise<Service | undefined> {
  const answer = await send('DescribeServices', () => ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] })));
  return answer.services?.find((s) => s.serviceName === target.service || s.serviceArn === target.service);
}

export async function readCurrentTask(ecs: ECSClient, send: Send, target: ServiceTarget): Promise<CurrentTask> {
  const service = await describeService(ecs, send, target);
  if (!service || service.status !== 'ACTIVE') {
    throw new DeployError(`ECS service "${target.service}" is not active in cluster "${target.cluster}"${service ? ` (status ${service.status})` : ' (not found)'}`, { field: 'service' });
  }
  if (!service.taskDefinition) throw new DeployError(`ECS service "${target.service}" has no task definition`, { field: 'service' });
  const taskDefinitionArn = service.taskDefinition;
  const answer = await send('DescribeTaskDefinition', () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn, include: ['TAGS'] })));
  if (!answer.taskDefinition) throw new DeployError(`ECS returned no task definition for ${service.taskDefinition}`, { field: 'service' });
  return { service, taskDefinition: answer.taskDefinition, tags: answer.tags ?? [] };
}
