/**
 * Clusters, services, their deployments, tasks and service-deployment records in the ECS fake,
 * and how a rolling deployment plays out. The clock is the fake's own: a deployment moves one
 * step each time its service is described (DescribeServices), so a test chooses the outcome and
 * how many polls it takes, never a wall-clock duration.
 *
 * What ECS does, and the fake copies:
 * - UpdateService with a new task definition starts a deployment (`ecs-svc/<19 digits>`) that is
 *   PRIMARY and IN_PROGRESS; the one before it becomes ACTIVE and is drained when it completes.
 * - A service deployment record (ListServiceDeployments / DescribeServiceDeployments) follows it:
 *   PENDING → IN_PROGRESS → SUCCESSFUL, or, when the circuit breaker trips, ROLLBACK_IN_PROGRESS →
 *   ROLLBACK_SUCCESSFUL with `rollback` and `deploymentCircuitBreaker` filled in, or STOPPED when
 *   another deployment replaces it.
 * - Tasks a deployment starts carry `startedBy: <deployment id>`; the failed ones are STOPPED with
 *   a `stoppedReason` ("Essential container in task exited") and the containers' exit codes.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EcsFault, clientError, invalidParameter } from './faults.ts';
import type { Json } from './task-definitions.ts';
import type { TaskDefinitions } from './task-definitions.ts';

/** What the next deployment of a service does, chosen per test. */
export type RolloutPlan =
  /** IN_PROGRESS for `polls` DescribeServices calls, then COMPLETED. */
  | { outcome: 'success'; polls?: number }
  /** Tasks fail to start; the circuit breaker rolls back to the previous task definition (unless `rollback: false`). */
  | {
      outcome: 'circuit-breaker';
      polls?: number;
      failedTasks?: number;
      rollback?: boolean;
      /** How the tasks end: an essential container that exits (default), or an image that cannot be pulled. */
      stop?: { reason: string; exitCode: number } | { pullError: string };
    }
  /** Someone else's UpdateService (another task definition) replaces it while it runs. */
  | { outcome: 'replaced'; polls?: number; image?: string }
  /** It disappears from the service (and its record with it). */
  | { outcome: 'vanish'; polls?: number }
  /** It never finishes. */
  | { outcome: 'stuck' };

interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  /** Not on the wire. */
  plan: RolloutPlan;
  polls: number;
  serviceDeploymentArn: string;
  /** The task definition the circuit breaker goes back to. */
  previous?: string;
  /** For a rollback deployment: the failed deployment's record, finished when it completes. */
  rollbackOf?: string;
}

interface Service {
  arn: string;
  name: string;
  clusterName: string;
  clusterArn: string;
  desiredCount: number;
  createdAt: number;
  deployments: Deployment[];
  currentServiceDeployment: string;
  nextPlans: RolloutPlan[];
}

const DEFAULT_PLAN: RolloutPlan = { outcome: 'success', polls: 2 };
const CIRCUIT_BREAKER_THRESHOLD = 10;

export class Services {
  /** Whether services name their `currentServiceDeployment` (off: a client must find it by listing). */
  namesCurrentServiceDeployment = true;
  private readonly clusters = new Map<string, string>();
  private readonly services = new Map<string, Service>();
  private readonly records = new Map<string, Json>();
  private readonly tasks = new Map<string, Json>();
  private readonly region: string;
  private readonly account: string;
  private readonly clock: () => number;
  private readonly taskDefinitions: TaskDefinitions;

  constructor(region: string, account: string, clock: () => number, taskDefinitions: TaskDefinitions) {
    this.region = region;
    this.account = account;
    this.clock = clock;
    this.taskDefinitions = taskDefinitions;
  }

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:${resource}`;
  }

  private seconds(): number {
    return this.clock() / 1000;
  }

  addCluster(name: string): string {
    const arn = this.arn(`cluster/${name}`);
    this.clusters.set(name, arn);
    return arn;
  }

  /** A service that already runs `taskDefinition`: one COMPLETED deployment and its RUNNING tasks. */
  createService(options: { cluster: string; name: string; taskDefinition: string; desiredCount?: number }): string {
    const clusterArn = this.clusters.get(options.cluster) ?? this.addCluster(options.cluster);
    const service: Service = {
      arn: this.arn(`service/${options.cluster}/${options.name}`),
      name: options.name,
      clusterName: options.cluster,
      clusterArn,
      desiredCount: options.desiredCount ?? 1,
      createdAt: this.seconds(),
      deployments: [],
      currentServiceDeployment: '',
      nextPlans: [],
    };
    this.services.set(`${options.cluster}/${options.name}`, service);
    const first = this.startDeployment(service, this.taskDefinitions.arnOf(options.taskDefinition), { outcome: 'success', polls: 0 });
    this.complete(service, first);
    return service.arn;
  }

  /** The plans the next deployments of this service follow, in order (then: success after 2 polls). */
  planRollouts(cluster: string, name: string, ...plans: RolloutPlan[]): void {
    this.service(cluster, name).nextPlans.push(...plans);
  }

  private cluster(reference: string | undefined): string {
    const name = (reference ?? 'default').replace(/^arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    if (!this.clusters.has(name)) throw new EcsFault('ClusterNotFoundException', 'Cluster not found.');
    return name;
  }

  private service(cluster: string | undefined, reference: string): Service {
    const clusterName = this.cluster(cluster);
    const name = reference.startsWith('arn:') ? (reference.split('/').at(-1) ?? '') : reference;
    const service = this.services.get(`${clusterName}/${name}`);
    if (!service) throw new EcsFault('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  private startDeployment(service: Service, taskDefinition: string, plan: RolloutPlan, rollbackOf?: string): Deployment {
    const now = this.seconds();
    const previous = service.deployments.find((d) => d.status === 'PRIMARY');
    for (const d of service.deployments) d.status = 'ACTIVE';
    const id = `ecs-svc/${randomInt(1_000_000_000, 10_000_000_000)}${randomInt(100_000_000, 1_000_000_000)}`; // 19 digits
    const deployment: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: service.desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt: now,
      updatedAt: now,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      plan,
      polls: 0,
      serviceDeploymentArn: rollbackOf ?? this.arn(`service-deployment/${service.clusterName}/${service.name}/${randomBytes(12).toString('base64url')}`),
      previous: previous?.taskDefinition,
      rollbackOf,
    };
    service.deployments.unshift(deployment);
    if (!rollbackOf) {
      const revision = (d?: Deployment) => (d ? { arn: this.revisionArn(service, d.taskDefinition), requestedTaskCount: d.desiredCount, runningTaskCount: d.runningCount, pendingTaskCount: 0 } : undefined);
      this.records.set(deployment.serviceDeploymentArn, {
        serviceDeploymentArn: deployment.serviceDeploymentArn,
        serviceArn: service.arn,
        clusterArn: service.clusterArn,
        createdAt: now,
        startedAt: now,
        updatedAt: now,
        sourceServiceRevisions: previous ? [revision(previous)] : [],
        targetServiceRevision: revision(deployment),
        // PENDING until ECS starts on it (the first step below), as ECS documents.
        status: 'PENDING',
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
        deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: CIRCUIT_BREAKER_THRESHOLD },
        alarms: { status: 'DISABLED' },
      });
      service.currentServiceDeployment = deployment.serviceDeploymentArn;
    }
    return deployment;
  }

  /** The service revision a task definition makes (one per task definition here). */
  private revisionArn(service: Service, taskDefinition: string): string {
    const revision = taskDefinition.split(':').at(-1) ?? '0';
    return this.arn(`service-revision/${service.clusterName}/${service.name}/${revision.padStart(19, '0')}`);
  }

  private record(deployment: Deployment): Json | undefined {
    return this.records.get(deployment.serviceDeploymentArn);
  }

  private startTask(service: Service, deployment: Deployment, stopped?: { reason: string; exitCode: number } | { pullError: string }): void {
    const id = randomBytes(16).toString('hex');
    const now = this.seconds();
    const taskArn = this.arn(`task/${service.clusterName}/${id}`);
    const task: Json = {
      taskArn,
      clusterArn: service.clusterArn,
      taskDefinitionArn: deployment.taskDefinition,
      group: `service:${service.name}`,
      startedBy: deployment.id,
      launchType: 'FARGATE',
      createdAt: now,
      lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      containers: [{ taskArn, name: 'serving', lastStatus: stopped ? 'STOPPED' : 'RUNNING' }],
    };
    const container = (task.containers as Json[])[0]!;
    if (stopped && 'pullError' in stopped) {
      // ECS names the pull error on the task and on the container; nothing ran, so no exit code.
      Object.assign(task, { stoppedAt: now, stoppingAt: now, stopCode: 'TaskFailedToStart', stoppedReason: stopped.pullError });
      container.reason = stopped.pullError;
    } else if (stopped) {
      Object.assign(task, { stoppedAt: now, stoppingAt: now, stopCode: 'EssentialContainerExited', stoppedReason: stopped.reason });
      container.exitCode = stopped.exitCode;
    }
    this.tasks.set(taskArn, task);
  }

  /** Stops the RUNNING tasks of the deployments no longer wanted, as the scheduler does. */
  private drain(service: Service, keep: Deployment): void {
    for (const task of this.tasks.values()) {
      if (task.group !== `service:${service.name}` || task.desiredStatus !== 'RUNNING' || task.startedBy === keep.id) continue;
      Object.assign(task, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Scaling activity initiated by (deployment ${keep.id})`, stoppedAt: this.seconds() });
    }
    service.deployments = [keep];
  }

  private complete(service: Service, deployment: Deployment): void {
    for (let i = 0; i < deployment.desiredCount; i++) this.startTask(service, deployment);
    Object.assign(deployment, { rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${deployment.id} completed.`, runningCount: deployment.desiredCount, updatedAt: this.seconds() });
    this.drain(service, deployment);
    const record = this.record(deployment);
    if (record) {
      const now = this.seconds();
      const rolledBack = deployment.rollbackOf !== undefined;
      Object.assign(record, { status: rolledBack ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP', finishedAt: now, updatedAt: now });
      if (!rolledBack) Object.assign(record, { deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: CIRCUIT_BREAKER_THRESHOLD } });
    }
  }

  /** One step of every deployment of the service that is still rolling out. */
  private advance(service: Service): void {
    const deployment = service.deployments.find((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS');
    if (!deployment) return;
    deployment.polls++;
    const record = this.record(deployment);
    if (record?.status === 'PENDING') Object.assign(record, { status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP', updatedAt: this.seconds() });
    const plan = deployment.plan;
    if (plan.outcome === 'stuck' || deployment.polls <= (plan.polls ?? 2)) {
      deployment.pendingCount = deployment.desiredCount;
      return;
    }
    switch (plan.outcome) {
      case 'success':
        return this.complete(service, deployment);
      case 'circuit-breaker':
        return this.tripCircuitBreaker(service, deployment, plan);
      case 'replaced':
        return this.replace(service, deployment, plan.image ?? 'public.ecr.aws/docker/library/busybox:latest');
      case 'vanish':
        // The deployment before it is PRIMARY again; no record of ours is left.
        service.deployments = service.deployments.filter((d) => d !== deployment).slice(0, 1);
        for (const d of service.deployments) d.status = 'PRIMARY';
        this.records.delete(deployment.serviceDeploymentArn);
        return;
    }
  }

  private tripCircuitBreaker(service: Service, deployment: Deployment, plan: Extract<RolloutPlan, { outcome: 'circuit-breaker' }>): void {
    const failed = plan.failedTasks ?? 3;
    for (let i = 0; i < failed; i++) this.startTask(service, deployment, plan.stop ?? { reason: 'Essential container in task exited', exitCode: 1 });
    const now = this.seconds();
    Object.assign(deployment, { rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', failedTasks: failed, updatedAt: now });
    const back = deployment.previous;
    const record = this.record(deployment);
    if (!back || plan.rollback === false) {
      // Without a rollback the failed deployment stays PRIMARY, and its record ends STOPPED.
      if (record) {
        Object.assign(record, {
          status: 'STOPPED',
          statusReason: 'Service deployment stopped because the circuit breaker threshold was exceeded.',
          stoppedAt: now,
          updatedAt: now,
          deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: failed, threshold: CIRCUIT_BREAKER_THRESHOLD },
        });
      }
      return;
    }
    if (record) {
      Object.assign(record, {
        status: 'ROLLBACK_IN_PROGRESS',
        statusReason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
        updatedAt: now,
        rollback: { reason: 'Circuit Breaker', startedAt: now, serviceRevisionArn: this.revisionArn(service, back) },
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: failed, threshold: CIRCUIT_BREAKER_THRESHOLD },
      });
    }
    // The rollback runs as a new PRIMARY deployment of the last good task definition.
    this.startDeployment(service, back, { outcome: 'success', polls: 0 }, deployment.serviceDeploymentArn);
  }

  private replace(service: Service, deployment: Deployment, image: string): void {
    const current = this.taskDefinitions.find(deployment.taskDefinition).definition;
    const { family, containerDefinitions, cpu, memory, networkMode, requiresCompatibilities, executionRoleArn, taskRoleArn } = current as Json & { containerDefinitions: Json[] };
    const other = this.taskDefinitions.register(
      { family, cpu, memory, networkMode, requiresCompatibilities, executionRoleArn, taskRoleArn, containerDefinitions: containerDefinitions.map((c) => ({ ...c, image })) },
      `arn:aws:sts::${this.account}:assumed-role/someone-else/laptop`,
    );
    const record = this.record(deployment);
    if (record) Object.assign(record, { status: 'STOPPED', statusReason: 'Service deployment stopped because a new deployment was started.', stoppedAt: this.seconds(), updatedAt: this.seconds() });
    this.startDeployment(service, other.taskDefinition.taskDefinitionArn as string, { outcome: 'stuck' });
  }

  // ---- operations ---------------------------------------------------------------------------

  describeServices(input: { cluster?: string; services: string[] }): Json {
    if (input.services.length < 1 || input.services.length > 10) throw invalidParameter('services can have between 1 and 10 items.');
    const clusterName = this.cluster(input.cluster);
    const found: Json[] = [];
    const failures: Json[] = [];
    for (const reference of input.services) {
      try {
        const service = this.service(clusterName, reference);
        this.advance(service);
        found.push(this.view(service));
      } catch (err) {
        if (!(err instanceof EcsFault) || err.type !== 'ServiceNotFoundException') throw err;
        failures.push({ arn: reference.startsWith('arn:') ? reference : this.arn(`service/${clusterName}/${reference}`), reason: 'MISSING' });
      }
    }
    return { services: found, failures };
  }

  updateService(input: { cluster?: string; service: string; taskDefinition?: string; forceNewDeployment?: boolean; desiredCount?: number }): Json {
    const service = this.service(input.cluster, input.service);
    if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    const wanted = input.taskDefinition === undefined ? primary?.taskDefinition : this.taskDefinitions.find(input.taskDefinition).definition;
    if (wanted !== undefined && typeof wanted !== 'string' && wanted.status !== 'ACTIVE') throw clientError('TaskDefinition is inactive');
    const arn = typeof wanted === 'string' ? wanted : (wanted?.taskDefinitionArn as string | undefined);
    if (arn && (arn !== primary?.taskDefinition || input.forceNewDeployment)) {
      this.startDeployment(service, arn, service.nextPlans.shift() ?? DEFAULT_PLAN);
    }
    return { service: this.view(service) };
  }

  listServiceDeployments(input: { cluster?: string; service: string; status?: string[]; createdAt?: { after?: number; before?: number }; maxResults?: number }): Json {
    const service = this.service(input.cluster, input.service);
    const briefs = [...this.records.values()]
      .filter((r) => r.serviceArn === service.arn)
      .filter((r) => !input.status || input.status.includes(r.status as string))
      .filter((r) => input.createdAt?.after === undefined || (r.createdAt as number) >= input.createdAt.after)
      .filter((r) => input.createdAt?.before === undefined || (r.createdAt as number) <= input.createdAt.before)
      .sort((a, b) => (b.createdAt as number) - (a.createdAt as number))
      .slice(0, input.maxResults ?? 20)
      .map((r) => ({
        serviceDeploymentArn: r.serviceDeploymentArn,
        serviceArn: r.serviceArn,
        clusterArn: r.clusterArn,
        createdAt: r.createdAt,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        targetServiceRevisionArn: (r.targetServiceRevision as Json).arn,
        status: r.status,
        statusReason: r.statusReason,
      }));
    return { serviceDeployments: briefs };
  }

  describeServiceDeployments(input: { serviceDeploymentArns: string[] }): Json {
    if (input.serviceDeploymentArns.length < 1 || input.serviceDeploymentArns.length > 20) throw invalidParameter('serviceDeploymentArns can have between 1 and 20 items.');
    const serviceDeployments: Json[] = [];
    const failures: Json[] = [];
    for (const arn of input.serviceDeploymentArns) {
      const record = this.records.get(arn);
      if (record) serviceDeployments.push(structuredClone(record));
      else failures.push({ arn, reason: 'MISSING' });
    }
    return { serviceDeployments, failures };
  }

  listTasks(input: { cluster?: string; serviceName?: string; desiredStatus?: string; startedBy?: string; family?: string; maxResults?: number; nextToken?: string }): Json {
    const clusterName = this.cluster(input.cluster);
    if (input.serviceName !== undefined) this.service(clusterName, input.serviceName);
    const clusterArn = this.clusters.get(clusterName);
    const matching = [...this.tasks.values()]
      .filter((t) => t.clusterArn === clusterArn)
      .filter((t) => t.desiredStatus === (input.desiredStatus ?? 'RUNNING'))
      .filter((t) => input.serviceName === undefined || t.group === `service:${input.serviceName.split('/').at(-1)}`)
      .filter((t) => input.startedBy === undefined || t.startedBy === input.startedBy)
      .map((t) => t.taskArn as string);
    const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
    const size = input.maxResults ?? 100;
    const page = matching.slice(start, start + size);
    const more = start + size < matching.length;
    return { taskArns: page, ...(more ? { nextToken: Buffer.from(String(start + size)).toString('base64url') } : {}) };
  }

  describeTasks(input: { cluster?: string; tasks: string[] }): Json {
    if (input.tasks.length < 1 || input.tasks.length > 100) throw invalidParameter('tasks can have between 1 and 100 items.');
    const clusterArn = this.clusters.get(this.cluster(input.cluster));
    const tasks: Json[] = [];
    const failures: Json[] = [];
    for (const reference of input.tasks) {
      const task = [...this.tasks.values()].find((t) => t.taskArn === reference || (t.taskArn as string).endsWith(`/${reference}`));
      if (task && task.clusterArn === clusterArn) tasks.push(structuredClone(task));
      else failures.push({ arn: reference, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private view(service: Service): Json {
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    return {
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      status: 'ACTIVE',
      desiredCount: service.desiredCount,
      runningCount: primary?.runningCount ?? 0,
      pendingCount: primary?.pendingCount ?? 0,
      launchType: 'FARGATE',
      taskDefinition: primary?.taskDefinition,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
      deployments: service.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.desiredCount,
        pendingCount: d.pendingCount,
        runningCount: d.runningCount,
        failedTasks: d.failedTasks,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
        launchType: 'FARGATE',
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      })),
      currentServiceDeployment: this.namesCurrentServiceDeployment ? service.currentServiceDeployment : undefined,
      events: [],
      createdAt: service.createdAt,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      enableECSManagedTags: true,
      propagateTags: 'SERVICE',
    };
  }
}
