/**
 * Deploys a serving image to an ECS service: read the task definition the service runs, render the
 * next revision with the new image (render.ts), register it, UpdateService, and follow *that*
 * deployment until it completes, fails or times out. A failed deployment is a result, not an
 * exception: the result says why (rollout state, rollback, circuit breaker, and each stopped
 * task's reason). When the service already runs the image, nothing is registered and the result
 * says so.
 */
import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { readCurrentTask } from './current.ts';
import type { CurrentTask, ServiceTarget } from './current.ts';
import { DeployError, EcsCallError } from './errors.ts';
import { followDeployment } from './follow.ts';
import type { Followed } from './follow.ts';
import { pinnedImage } from './image.ts';
import type { DeployResult, Reason } from './outcome.ts';
import { renderTaskDefinition } from './render.ts';
import { retryingSend } from './retry.ts';
import type { RetryPolicy, Send } from './retry.ts';
import { stopReasons, stoppedTasksOf } from './stopped-tasks.ts';

export interface DeployRequest extends ServiceTarget {
  /** The container whose image is replaced (`serving`). */
  container: string;
  /** `<repository>@sha256:<64 hex>`. */
  image: string;
  /** MLSHIP_* variables for the container. */
  environment?: Record<string, string>;
  /** Default 30 minutes: a rolling deploy with health checks and draining, with room to spare. */
  timeoutMs?: number;
  /** Default 15 seconds. */
  pollIntervalMs?: number;
}

export interface DeployOptions {
  clock?: Clock;
  retry?: RetryPolicy;
}

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 15_000;

export async function deployImage(ecs: ECSClient, request: DeployRequest, options: DeployOptions = {}): Promise<DeployResult> {
  const { image } = pinnedImage(request.image);
  const clock = options.clock ?? systemClock;
  const send = retryingSend(clock, options.retry);
  const current = await readCurrentTask(ecs, send, request);
  const running = current.taskDefinition.containerDefinitions?.find((c) => c.name === request.container)?.image;
  const primary = current.service.deployments?.find((d) => d.status === 'PRIMARY');
  const taskDefinitionArn = current.taskDefinition.taskDefinitionArn ?? '';
  const previous = { taskDefinitionArn, image: running };

  if (running === image && primary?.id) {
    const serviceDeploymentArn = current.service.currentServiceDeployment;
    if (primary.rolloutState === 'COMPLETED') {
      const message = `the service already runs ${image} (${taskDefinitionArn}, deployment ${primary.id})`;
      return { status: 'skipped', previous, taskDefinitionArn, deploymentId: primary.id, serviceDeploymentArn, image, reasons: [{ kind: 'unchanged', message }] };
    }
    // The same image is still rolling out (an earlier run gave up waiting): follow that one. A
    // FAILED one (circuit breaker without rollback) is deployed again: a rerun is a retry.
    if (primary.rolloutState === 'IN_PROGRESS') {
      const createdAt = primary.createdAt?.getTime() ?? clock.now();
      return follow(ecs, send, clock, request, { previous, image, taskDefinitionArn, deploymentId: primary.id, serviceDeploymentArn, createdAt });
    }
  }

  const registered = await register(ecs, send, current, request, image);
  const asked = clock.now();
  const updated = await send('UpdateService', () => ecs.send(new UpdateServiceCommand({ cluster: request.cluster, service: request.service, taskDefinition: registered })));
  const ours = updated.service?.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === registered);
  if (!ours?.id) throw new DeployError(`UpdateService did not start a deployment of ${registered} on ${request.service}`, { field: 'service' });
  return follow(ecs, send, clock, request, { previous, image, taskDefinitionArn: registered, deploymentId: ours.id, serviceDeploymentArn: updated.service?.currentServiceDeployment, createdAt: ours.createdAt?.getTime() ?? asked });
}

async function register(ecs: ECSClient, send: Send, current: CurrentTask, request: DeployRequest, image: string): Promise<string> {
  const input = renderTaskDefinition({ current: current.taskDefinition, tags: current.tags, container: request.container, image, environment: request.environment });
  const answer = await send('RegisterTaskDefinition', () => ecs.send(new RegisterTaskDefinitionCommand(input)));
  const arn = answer.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new DeployError(`RegisterTaskDefinition answered without a task definition ARN for family ${input.family}`, { field: 'taskDefinition' });
  return arn;
}

interface Followable {
  previous: DeployResult['previous'];
  image: string;
  taskDefinitionArn: string;
  deploymentId: string;
  serviceDeploymentArn: string | undefined;
  createdAt: number;
}

async function follow(ecs: ECSClient, send: Send, clock: Clock, request: DeployRequest, what: Followable): Promise<DeployResult> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const followed = await followDeployment(ecs, send, clock, {
    target: request,
    deploymentId: what.deploymentId,
    serviceDeploymentArn: what.serviceDeploymentArn,
    createdAt: what.createdAt,
    timeoutMs,
    pollIntervalMs: request.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
  });
  const result: DeployResult = {
    status: 'succeeded',
    previous: what.previous,
    taskDefinitionArn: what.taskDefinitionArn,
    deploymentId: what.deploymentId,
    serviceDeploymentArn: followed.serviceDeploymentArn,
    image: what.image,
    reasons: [],
    ...details(followed, what.deploymentId),
  };
  const judgement = followed.judgement;
  if (judgement.state === 'succeeded') return { ...result, reasons: judgement.reasons ?? [] };
  const reasons: Reason[] =
    judgement.state === 'failed'
      ? judgement.reasons
      : [{ kind: 'timeout', message: `deployment ${what.deploymentId} did not finish within ${Math.round(timeoutMs / 1000)} s; ECS may still complete it or roll it back` }];
  return { ...result, status: judgement.state === 'failed' ? 'failed' : 'timed-out', reasons: [...reasons, ...(await taskReasons(ecs, send, request, what))] };
}

/** The stopped tasks' reasons, best effort: failing to read them must not hide why the deploy failed. */
async function taskReasons(ecs: ECSClient, send: Send, request: DeployRequest, what: Followable): Promise<Reason[]> {
  try {
    return stopReasons(await stoppedTasksOf(ecs, send, request, what.deploymentId, what.taskDefinitionArn));
  } catch (err) {
    if (!(err instanceof EcsCallError)) throw err;
    return [{ kind: 'task', message: `the stopped tasks could not be read: ${err.message}` }];
  }
}

/** What ECS recorded about the deployment: the record's status, rollback and circuit breaker, failed tasks. */
function details(followed: Followed, deploymentId: string): Partial<DeployResult> {
  const record: ServiceDeployment | undefined = followed.record;
  const deployment = followed.service?.deployments?.find((d) => d.id === deploymentId);
  const out: Partial<DeployResult> = {};
  if (record?.status) out.serviceDeploymentStatus = record.status;
  if (deployment?.failedTasks) out.failedTasks = deployment.failedTasks;
  if (record?.rollback) out.rollback = { reason: record.rollback.reason, serviceRevisionArn: record.rollback.serviceRevisionArn };
  if (record?.deploymentCircuitBreaker) {
    const cb = record.deploymentCircuitBreaker;
    out.circuitBreaker = { status: cb.status, failureCount: cb.failureCount, threshold: cb.threshold };
  }
  return out;
}
