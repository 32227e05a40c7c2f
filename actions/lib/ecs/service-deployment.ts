/**
 * The service deployment record of our deployment (ListServiceDeployments +
 * DescribeServiceDeployments): its status says SUCCESSFUL, ROLLBACK_* or STOPPED, with the
 * rollback and circuit breaker details the older `deployments` list lacks. UpdateService names
 * it (`currentServiceDeployment`); without that name, ours is the record ECS created when it
 * created the deployment: the one whose `createdAt` is nearest the deployment's (both are ECS's
 * clock, so no skew between ECS and us comes into it; "the first since the update" would pick an
 * earlier deployment's record when two updates fall within the skew allowance).
 */
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { ServiceTarget } from './current.ts';
import type { Send } from './retry.ts';

/** How far apart the deployment's and its record's creation times may be. */
const SAME_MOMENT_MS = 60_000;

export async function findServiceDeploymentArn(ecs: ECSClient, send: Send, target: ServiceTarget, deploymentCreatedAt: Date): Promise<string | undefined> {
  const after = new Date(deploymentCreatedAt.getTime() - SAME_MOMENT_MS);
  const answer = await send('ListServiceDeployments', () => ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, createdAt: { after } })));
  const distance = (d: Date) => Math.abs(d.getTime() - deploymentCreatedAt.getTime());
  const candidates = (answer.serviceDeployments ?? []).filter((b) => b.serviceDeploymentArn && b.createdAt && distance(b.createdAt) <= SAME_MOMENT_MS);
  candidates.sort((a, b) => distance(a.createdAt!) - distance(b.createdAt!));
  return candidates[0]?.serviceDeploymentArn;
}

/** The record, or undefined when ECS no longer knows it. */
export async function describeServiceDeployment(ecs: ECSClient, send: Send, arn: string): Promise<ServiceDeployment | undefined> {
  const answer = await send('DescribeServiceDeployments', () => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
  return answer.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
}
