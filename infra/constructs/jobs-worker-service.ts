// The batch-job worker as an ECS service of its own (`mlship worker`, cli/commands/worker.ts): the
// serving image with another command, so the HTTP tasks stay lean while a job runs. It takes jobs
// from the queue in the jobs database and reads and writes the jobs' objects under `jobs/`.
//
// Scaled on queue depth by step scaling on two CloudWatch metrics the application is to publish
// (JOB_METRICS): jobs waiting add a task, an empty queue (nothing waiting or running) takes one
// away. Until they are published the alarms have no data and the count stays where it is (it
// starts at jobs.worker.minTasks), so the default minimum is 1 (README, "Batch jobs").
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_PATH, LOCK_PATH } from '../../actions/lib/image/paths.ts';
import { PLACEHOLDER, type MlshipConfig } from '../config.ts';
import { QUEUE_METRICS } from '../../serving/jobs/queue-depth.ts';
import { acknowledge } from '../nag.ts';
import { PLACEHOLDER_IMAGE } from './serving-service.ts';

export const WORKER_CONTAINER_NAME = 'worker';

/**
 * What the job worker publishes (MLSHIP_QUEUE_METRICS_CLUSTER set), once a minute, and the scaling reads: the count of jobs in each
 * state, in namespace `mlship` with dimension `Cluster` = the ECS cluster's name. An embedded-metric
 * log line on stdout (CloudWatch EMF) needs no AWS permission: the awslogs driver delivers it and
 * CloudWatch extracts the metric.
 */
export const JOB_METRICS = QUEUE_METRICS;

export interface JobsWorkerServiceProps {
  readonly cluster: ecs.ICluster;
  readonly repository: ecr.IRepository;
  /** The serving image (or placeholder): the worker runs the same one. */
  readonly image: string;
  readonly architecture: MlshipConfig['service']['architecture'];
  readonly worker: MlshipConfig['jobs']['worker'];
  /** `s3://<bucket>`: the store the models are read from and the jobs' objects kept in. */
  readonly storeUri: string;
  /** Plain environment shared with the serving tasks (DATABASE_URL without credentials, retention). */
  readonly environment: Record<string, string>;
  /** PGUSER and PGPASSWORD, from the database's secret. */
  readonly secrets: Record<string, ecs.Secret>;
  /** The task role's S3 statements: read models/, read and write jobs/. */
  readonly statements: iam.PolicyStatement[];
  readonly logRetentionDays: number;
}

export class JobsWorkerService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: JobsWorkerServiceProps) {
    super(scope, id);
    const cfg = props.worker;

    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS task execution role of the mlship job worker: pulls the image, reads the database secret, writes logs',
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Task role of the mlship job worker: reads models/, reads and writes jobs/ in the model bucket',
    });
    for (const statement of props.statements) this.taskRole.addToPrincipalPolicy(statement);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: cfg.serviceName,
      cpu: cfg.cpu,
      memoryLimitMiB: cfg.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.architecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole,
      taskRole: this.taskRole,
    });
    props.repository.grantPull(executionRole);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays, removalPolicy: RemovalPolicy.RETAIN });
    const placeholder = props.image === PLACEHOLDER;
    this.taskDefinition.addContainer('Worker', {
      containerName: WORKER_CONTAINER_NAME,
      image: ecs.ContainerImage.fromRegistry(placeholder ? PLACEHOLDER_IMAGE : props.image),
      // Before the first pipeline deploy there is no worker to run: the placeholder only waits.
      // The worker reads the models the image's lock pins from the store (sha256-verified), and
      // keeps the jobs' inputs and results in the same bucket under jobs/.
      command: placeholder
        ? ['sh', '-c', 'exec sleep 2147483647']
        : ['node', BUNDLE_PATH, 'worker', '--lock', LOCK_PATH, '--store', props.storeUri],
      // the worker writes the queue depth the scaling below reads (serving/jobs/queue-depth.ts)
      environment: { ...props.environment, MLSHIP_JOB_CONCURRENCY: String(cfg.concurrency), MLSHIP_QUEUE_METRICS_CLUSTER: props.cluster.clusterName },
      secrets: props.secrets,
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: WORKER_CONTAINER_NAME }),
      // On SIGTERM the worker stops taking jobs and finishes the running ones; Fargate's maximum.
      // A job still running then is retried by another worker once its lease expires.
      stopTimeout: Duration.seconds(120),
    });
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds no secret: DATABASE_URL names only the host, port and database (the user and password are ECS ' +
        'secrets from Secrets Manager, PGUSER/PGPASSWORD), plus the job retention and concurrency settings.',
    );
    acknowledge(
      executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions (it must be granted on "*"); ' +
        'the pull actions themselves are limited to the serving repository.',
    );

    // Public subnet with a public IP, as the serving tasks (no NAT gateway): outbound to ECR, S3,
    // CloudWatch Logs and the callback receivers; no inbound rule at all.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: 'mlship job-worker tasks: no inbound; outbound to AWS APIs, the jobs database and callback receivers',
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      serviceName: cfg.serviceName,
      taskDefinition: this.taskDefinition,
      // desiredCount unset: the scaling owns it, a `cdk deploy` never resets it.
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: cfg.minTasks, maxCapacity: cfg.maxTasks });
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: JOB_METRICS.namespace,
        metricName,
        dimensionsMap: { [JOB_METRICS.dimension]: props.cluster.clusterName },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      });
    // Jobs waiting: every worker is busy (or there is none), so add one, up to maxTasks.
    scaling.scaleOnMetric('ScaleOutOnQueuedJobs', {
      metric: metric(JOB_METRICS.queued),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 1, change: 0 },
        { lower: 1, change: +1 },
      ],
      cooldown: Duration.seconds(60),
      evaluationPeriods: 1,
    });
    // Nothing waiting and nothing running for 10 minutes: take a worker away, down to minTasks. Never
    // while a job runs, which a scale-in would interrupt (and retry elsewhere).
    scaling.scaleOnMetric('ScaleInOnEmptyQueue', {
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(queued, 0) + FILL(running, 0)',
        usingMetrics: { queued: metric(JOB_METRICS.queued), running: metric(JOB_METRICS.running) },
        period: Duration.minutes(1),
        label: 'jobs queued or running',
      }),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 1, change: 0 },
      ],
      cooldown: Duration.seconds(300),
      evaluationPeriods: 10,
    });
  }
}
