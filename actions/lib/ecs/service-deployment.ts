/**
 * The service deployment record of our deployment (ListServiceDeployments +
 * DescribeServiceDeployments): its status says SUCCESSFUL, ROLLBACK_* or STOPPED, with the
 * rollback and circuit breaker details the older `deployments` list lacks. UpdateService names
 * it (`currentServiceDeployment`); without that name, ours is the first one created since the
 * update.
 */
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { ServiceTarget } from './current.ts';
import type { Send } from './retry.ts';

export async function findServiceDeploymentArn(ecs: ECSClient, send: Send, target: ServiceTarget, since: Date): Promise<string | undefined> {
  const answer = await send('ListServiceDeployments', () => ecs.send(new ListServiceDeploymentsCommand({ cluster: target.cluster, service: target.service, createdAt: { after: since } })));
  const briefs = (answer.serviceDeployments ?? []).filter((b) => b.serviceDeploymentArn && b.createdAt && b.createdAt.getTime() >= since.getTime());
  briefs.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  return briefs[0]?.serviceDeploymentArn;
}

/** The record, or undefined when ECS no longer knows it. */
export async function describeServiceDeployment(ecs: ECSClient, send: Send, arn: string): Promise<ServiceDeployment | undefined> {
  const answer = await send('DescribeServiceDeployments', () => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
  return answer.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
}
