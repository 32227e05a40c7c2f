/**
 * Where a deployment stands, from one look at the service and its service deployment record (a
 * pure function). It succeeds when our deployment is COMPLETED and its record (if ECS keeps one)
 * is no longer in progress, even if another deployment has replaced it since. It has failed
 * when its rollout FAILED; when the record says it was rolled back or stopped; when another
 * deployment became PRIMARY (the circuit breaker's rollback, or someone else's UpdateService);
 * or when it is gone from the service. Otherwise it is still rolling out.
 */
import type { Deployment, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Reason } from './outcome.ts';

export interface Observation {
  deploymentId: string;
  /** undefined: the service itself is gone. */
  service: Service | undefined;
  record: ServiceDeployment | undefined;
}

/** `succeeded` may carry a note: the deployment completed, and another has replaced it since. */
export type Judgement = { state: 'waiting' } | { state: 'succeeded'; reasons?: Reason[] } | { state: 'failed'; reasons: Reason[] };

const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const STOPPED = new Set(['STOP_REQUESTED', 'STOPPED']);
const OPEN = new Set(['PENDING', 'IN_PROGRESS']);

export function judgeRollout(observation: Observation): Judgement {
  const { deploymentId, service, record } = observation;
  if (!service) return { state: 'failed', reasons: [{ kind: 'missing', message: 'the ECS service is gone' }] };
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const reasons = failureReasons(ours, record);
  // The record is the outcome: after the rollout a deployment may still bake (alarms can still
  // roll it back), and the record says SUCCESSFUL only once that is over.
  const finished = record?.status === 'SUCCESSFUL' || (ours?.rolloutState === 'COMPLETED' && !OPEN.has(record?.status ?? ''));
  const superseded = !ours || (ours.status !== 'PRIMARY' && primary !== undefined);
  if (reasons.length === 0 && finished) {
    if (!superseded) return { state: 'succeeded' };
    const next = primary ? `deployment ${primary.id} (${primary.taskDefinition})` : 'another deployment';
    return { state: 'succeeded', reasons: [{ kind: 'replaced', message: `the deployment completed; ${next} has replaced it since` }] };
  }
  const wentBack = ROLLED_BACK.has(record?.status ?? '') || ours?.rolloutState === 'FAILED';
  if (superseded) reasons.push(supersededReason(deploymentId, ours, primary, wentBack));
  return reasons.length > 0 ? { state: 'failed', reasons } : { state: 'waiting' };
}

/** What the deployment itself and its record say went wrong, if anything. */
function failureReasons(ours: Deployment | undefined, record: ServiceDeployment | undefined): Reason[] {
  const reasons: Reason[] = [];
  const status = record?.status ?? '';
  const because = record?.statusReason ? `: ${record.statusReason}` : '';
  if (ours?.rolloutState === 'FAILED') reasons.push({ kind: 'rollout', message: ours.rolloutStateReason ?? `deployment ${ours.id} failed` });
  if (ROLLED_BACK.has(status)) {
    const why = record?.rollback?.reason ? ` (${record.rollback.reason})` : '';
    reasons.push({ kind: 'rollback', message: `ECS rolled the deployment back${why}: service deployment ${status}${because}` });
  }
  if (STOPPED.has(status)) reasons.push({ kind: 'service-deployment', message: `the service deployment was stopped (${status})${because}` });
  const cb = record?.deploymentCircuitBreaker;
  if (cb?.status === 'TRIGGERED') {
    reasons.push({ kind: 'circuit-breaker', message: `the deployment circuit breaker tripped: ${cb.failureCount ?? '?'} failed tasks (threshold ${cb.threshold ?? '?'})` });
  }
  return reasons;
}

/** Our deployment is gone or no longer PRIMARY: gone, rolled back from, or replaced by someone else. */
function supersededReason(deploymentId: string, ours: Deployment | undefined, primary: Deployment | undefined, wentBack: boolean): Reason {
  if (!ours) {
    return { kind: 'missing', message: `deployment ${deploymentId} is no longer on the service${primary ? `; ${primary.id} (${primary.taskDefinition}) is the primary deployment` : ''}` };
  }
  return wentBack
    ? { kind: 'rollback', message: `ECS went back to ${primary?.taskDefinition} (deployment ${primary?.id})` }
    : { kind: 'replaced', message: `deployment ${primary?.id} (${primary?.taskDefinition}) replaced it as the primary deployment: someone else updated the service` };
}
