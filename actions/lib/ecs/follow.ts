/**
 * Follows one deployment (by its id, from UpdateService's answer) until it succeeds, fails or
 * the timeout passes: DescribeServices for its rolloutState, and its service deployment record
 * for the outcome. Credentials are the client's: a client with a refreshing provider survives a
 * wait longer than one set of credentials lasts (web-identity.ts).
 */
import type { ECSClient, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Clock } from './clock.ts';
import { describeService } from './current.ts';
import type { ServiceTarget } from './current.ts';
import { judgeRollout } from './judge.ts';
import type { Judgement } from './judge.ts';
import type { Send } from './retry.ts';
import { describeServiceDeployment, findServiceDeploymentArn } from './service-deployment.ts';

export interface FollowRequest {
  target: ServiceTarget;
  deploymentId: string;
  /** From UpdateService (`currentServiceDeployment`), when ECS named it. */
  serviceDeploymentArn: string | undefined;
  /** When ECS created the deployment (epoch ms, ECS's clock): its record was created then too. */
  createdAt: number;
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface Followed {
  judgement: Judgement | { state: 'timed-out' };
  service: Service | undefined;
  record: ServiceDeployment | undefined;
  serviceDeploymentArn: string | undefined;
}

export async function followDeployment(ecs: ECSClient, send: Send, clock: Clock, request: FollowRequest): Promise<Followed> {
  const deadline = clock.now() + request.timeoutMs;
  let arn = request.serviceDeploymentArn;
  for (;;) {
    const service = await describeService(ecs, send, request.target);
    arn ??= await findServiceDeploymentArn(ecs, send, request.target, new Date(request.createdAt));
    const record = arn ? await describeServiceDeployment(ecs, send, arn) : undefined;
    const judgement = judgeRollout({ deploymentId: request.deploymentId, service, record });
    if (judgement.state !== 'waiting') return { judgement, service, record, serviceDeploymentArn: arn };
    const left = deadline - clock.now();
    if (left <= 0) return { judgement: { state: 'timed-out' }, service, record, serviceDeploymentArn: arn };
    await clock.sleep(Math.min(request.pollIntervalMs, left));
  }
}
