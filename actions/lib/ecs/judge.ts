/**
 * Where a deployment stands, from one look at the service and its service deployment record (a
 * pure function). It succeeds when our deployment is the PRIMARY one and COMPLETED, and its
 * record (if ECS keeps one) is no longer in progress. It has failed
 * when its rollout FAILED; when the record says it was rolled back or stopped; when another
 * deployment became PRIMARY (the circuit breaker's rollback, or someone else's UpdateService);
 * or when it is gone from the service. Otherwise it is still rolling out.
 */
import type { Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Reason } from './outcome.ts';

export interface Observation {
  deploymentId: string;
  /** undefined: the service itself is gone. */
  service: Service | undefined;
  record: ServiceDeployment | undefined;
}

export type Judgement = { state: 'waiting' } | { state: 'succeeded' } | { state: 'failed'; reasons: Reason[] };

const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const STOPPED = new Set(['STOP_REQUESTED', 'STOPPED']);

export function judgeRollout(observation: Observation): Judgement {
  const { deploymentId, service, record } = observation;
  if (!service) return { state: 'failed', reasons: [{ kind: 'missing', message: 'the ECS service is gone' }] };
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const reasons: Reason[] = [];
  const rolledBack = record?.status !== undefined && ROLLED_BACK.has(record.status);
  if (ours?.rolloutState === 'FAILED') reasons.push({ kind: 'rollout', message: ours.rolloutStateReason ?? `deployment ${deploymentId} failed` });
  if (rolledBack) {
    const why = record?.rollback?.reason ? ` (${record.rollback.reason})` : '';
    reasons.push({ kind: 'rollback', message: `ECS rolled the deployment back${why}: service deployment ${record?.status}${record?.statusReason ? `, ${record.statusReason}` : ''}` });
  }
  if (record?.status !== undefined && STOPPED.has(record.status)) {
    reasons.push({ kind: 'service-deployment', message: `the service deployment was stopped (${record.status})${record.statusReason ? `: ${record.statusReason}` : ''}` });
  }
  if (record?.deploymentCircuitBreaker?.status === 'TRIGGERED') {
    const cb = record.deploymentCircuitBreaker;
    reasons.push({ kind: 'circuit-breaker', message: `the deployment circuit breaker tripped: ${cb.failureCount ?? '?'} failed tasks (threshold ${cb.threshold ?? '?'})` });
  }
  if (!ours) {
    reasons.push({ kind: 'missing', message: `deployment ${deploymentId} is no longer on the service${primary ? `; ${primary.id} (${primary.taskDefinition}) is the primary deployment` : ''}` });
  } else if (ours.status !== 'PRIMARY' && primary) {
    const failed = rolledBack || ours.rolloutState === 'FAILED';
    reasons.push(
      failed
        ? { kind: 'rollback', message: `ECS went back to ${primary.taskDefinition} (deployment ${primary.id})` }
        : { kind: 'replaced', message: `deployment ${primary.id} (${primary.taskDefinition}) replaced it as the primary deployment: someone else updated the service` },
    );
  }
  if (reasons.length > 0) return { state: 'failed', reasons };
  // The record is the outcome: after the rollout a deployment may still bake (alarms can still
  // roll it back), and the record says SUCCESSFUL only once that is over.
  const recordOpen = record?.status === 'IN_PROGRESS' || record?.status === 'PENDING';
  if (ours?.status === 'PRIMARY' && ours.rolloutState === 'COMPLETED' && !recordOpen) return { state: 'succeeded' };
  return { state: 'waiting' };
}
