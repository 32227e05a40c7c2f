/** Where a deployment stands, from one look at the service and its record (pure). */
import type { Deployment, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { judgeRollout } from '../../../actions/lib/ecs/judge.ts';

const OURS = 'ecs-svc/1111111111111111111';
const OLD = 'ecs-svc/2222222222222222222';
const TD = (n: number) => `arn:aws:ecs:eu-west-1:111122223333:task-definition/mlship-serving:${n}`;
const service = (...deployments: Deployment[]): Service => ({ serviceName: 'mlship-serving', status: 'ACTIVE', deployments });
const dep = (id: string, status: string, rolloutState: Deployment['rolloutState'], taskDefinition = TD(2), extra: Partial<Deployment> = {}): Deployment => ({ id, status, rolloutState, taskDefinition, ...extra });
const judge = (s: Service | undefined, record?: ServiceDeployment) => judgeRollout({ deploymentId: OURS, service: s, record });

describe('judgeRollout', () => {
  it('waits while ours is PRIMARY and IN_PROGRESS, with or without a record', () => {
    expect(judge(service(dep(OURS, 'PRIMARY', 'IN_PROGRESS'), dep(OLD, 'ACTIVE', 'COMPLETED', TD(1))))).toEqual({ state: 'waiting' });
    expect(judge(service(dep(OURS, 'PRIMARY', 'IN_PROGRESS')), { status: 'IN_PROGRESS' })).toEqual({ state: 'waiting' });
  });

  it('succeeds when ours is PRIMARY and COMPLETED', () => {
    expect(judge(service(dep(OURS, 'PRIMARY', 'COMPLETED')), { status: 'SUCCESSFUL' })).toEqual({ state: 'succeeded' });
    expect(judge(service(dep(OURS, 'PRIMARY', 'COMPLETED')))).toEqual({ state: 'succeeded' });
  });

  it('waits while the record is still open after the rollout completed (bake time: alarms may still roll it back)', () => {
    expect(judge(service(dep(OURS, 'PRIMARY', 'COMPLETED')), { status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' })).toEqual({ state: 'waiting' });
    expect(judge(service(dep(OURS, 'PRIMARY', 'COMPLETED')), { status: 'PENDING' })).toEqual({ state: 'waiting' });
  });

  it('succeeds, with a note, when ours completed and another deployment has replaced it since', () => {
    const note = { kind: 'replaced', message: `the deployment completed; deployment ${OLD} (${TD(3)}) has replaced it since` };
    expect(judge(service(dep(OLD, 'PRIMARY', 'IN_PROGRESS', TD(3)), dep(OURS, 'ACTIVE', 'COMPLETED')), { status: 'SUCCESSFUL' })).toEqual({ state: 'succeeded', reasons: [note] });
    expect(judge(service(dep(OLD, 'PRIMARY', 'IN_PROGRESS', TD(3))), { status: 'SUCCESSFUL' })).toEqual({ state: 'succeeded', reasons: [note] });
  });

  it('fails on a FAILED rollout, even while ours is still PRIMARY', () => {
    const j = judge(service(dep(OURS, 'PRIMARY', 'FAILED', TD(2), { rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' })));
    expect(j).toEqual({ state: 'failed', reasons: [{ kind: 'rollout', message: 'ECS deployment circuit breaker: tasks failed to start.' }] });
  });

  it('fails when the circuit breaker rolled back: the old revision PRIMARY, the record ROLLBACK_*', () => {
    const record: ServiceDeployment = { status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'Circuit Breaker' }, deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 10, threshold: 10 } };
    const j = judge(service(dep(OLD, 'PRIMARY', 'COMPLETED', TD(1))), record);
    expect(j.state).toBe('failed');
    expect(j.state === 'failed' && j.reasons.map((r) => r.kind)).toEqual(['rollback', 'circuit-breaker', 'missing']);
    expect(j.state === 'failed' && j.reasons[0]!.message).toBe('ECS rolled the deployment back (Circuit Breaker): service deployment ROLLBACK_SUCCESSFUL');
    const during = judge(service(dep(OLD, 'PRIMARY', 'IN_PROGRESS', TD(1)), dep(OURS, 'ACTIVE', 'FAILED')), { ...record, status: 'ROLLBACK_IN_PROGRESS' });
    expect(during.state === 'failed' && during.reasons.map((r) => r.kind)).toEqual(['rollout', 'rollback', 'circuit-breaker', 'rollback']);
    expect(during.state === 'failed' && during.reasons.at(-1)!.message).toBe(`ECS went back to ${TD(1)} (deployment ${OLD})`);
  });

  it("fails when someone else's deployment became PRIMARY", () => {
    const j = judge(service(dep(OLD, 'PRIMARY', 'IN_PROGRESS', TD(3)), dep(OURS, 'ACTIVE', 'IN_PROGRESS')), { status: 'STOPPED', statusReason: 'a new deployment was started' });
    expect(j.state === 'failed' && j.reasons).toEqual([
      { kind: 'service-deployment', message: 'the service deployment was stopped (STOPPED): a new deployment was started' },
      { kind: 'replaced', message: `deployment ${OLD} (${TD(3)}) replaced it as the primary deployment: someone else updated the service` },
    ]);
  });

  it('fails when ours, or the service, is gone', () => {
    expect(judge(service(dep(OLD, 'PRIMARY', 'COMPLETED', TD(1))))).toEqual({ state: 'failed', reasons: [{ kind: 'missing', message: `deployment ${OURS} is no longer on the service; ${OLD} (${TD(1)}) is the primary deployment` }] });
    expect(judge(undefined)).toEqual({ state: 'failed', reasons: [{ kind: 'missing', message: 'the ECS service is gone' }] });
  });
});
