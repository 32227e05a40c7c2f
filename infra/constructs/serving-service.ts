// The serving side: an ECS cluster, a Fargate service running the serving container behind an
// internet-facing Application Load Balancer, with rolling deploys guarded by the deployment circuit
// breaker and CPU target-tracking autoscaling.
//
// Who owns the task definition (see also infra/README.md):
// - CDK owns everything about the task except the image: size, roles, port, logging, and the
//   service, load balancer and scaling settings.
// - The pipeline owns the image. The deploy action reads the service's *current* task definition,
//   replaces the image of the `serving` container with the new digest (and drops `command`, which
//   only the placeholder uses), registers that as a new revision of the same family and calls
//   UpdateService. CDK settings therefore carry over into every pipeline deploy.
// - A `cdk deploy` after the first pipeline deploy must pass the image that is running
//   (`-c mlship:service.image=<repo>@sha256:...`); infra/app.ts refuses to synthesize without it,
//   so CDK can never roll the service back to the placeholder or to an older model.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { workersFor } from '../../actions/lib/ecs/render.ts';
import { PLACEHOLDER, type MlshipConfig } from '../config.ts';
import { acknowledge } from '../nag.ts';

/** The container's name in the task definition: the deploy action replaces this container's image. */
export const CONTAINER_NAME = 'serving';
export const CONTAINER_PORT = 8080;
/**
 * `/metrics` is served on this port (`MLSHIP_METRICS_PORT`), not on the one the load balancer
 * forwards to, so it is not public: the main port answers 404 for it. Only the container's own
 * network reaches it (no security-group rule opens it); a scraper in the VPC (e.g. the CloudWatch
 * agent's ECS Prometheus discovery, through the docker labels) needs one added.
 */
export const METRICS_PORT = 9464;
/** KServe v2 readiness: the server answers 200 only once every pinned model is loaded and verified. */
export const HEALTH_CHECK_PATH = '/v2/health/ready';

/**
 * Runs before the pipeline's first deploy, when the ECR repository is still empty: a busybox HTTP
 * server that answers the load balancer's readiness check, so that the very first `cdk deploy`
 * (which waits for the service to become stable) completes. Public ECR mirror of the Docker
 * official image: no Docker Hub rate limit. Pinned by digest (the multi-architecture index of tag
 * 1.37), as every image mlship runs is: a tag can be moved to other bytes by whoever controls it.
 */
export const PLACEHOLDER_IMAGE = 'public.ecr.aws/docker/library/busybox@sha256:9db7b59979c38555a39def84a31fb98b5296952f9e3afd4f6f11f05b07adfab0';
export const PLACEHOLDER_COMMAND = [
  'sh',
  '-c',
  [
    'mkdir -p /www/v2/health',
    'echo ready > /www/v2/health/ready',
    'echo live > /www/v2/health/live',
    'echo "mlship: no model has been deployed yet. Merge a models.lock.json change to deploy one." > /www/index.html',
    `exec httpd -f -p ${CONTAINER_PORT} -h /www`,
  ].join(' && '),
];

export interface ServingServiceProps {
  readonly vpc: ec2.IVpc;
  readonly repository: ecr.IRepository;
  readonly accessLogsBucket: s3.IBucket;
  readonly service: MlshipConfig['service'];
  readonly logRetentionDays: number;
}

export class ServingService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.LogGroup;
  readonly securityGroup: ec2.SecurityGroup;
  /** The service's public base URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ServingServiceProps) {
    super(scope, id);
    const cfg = props.service;

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: cfg.clusterName,
      containerInsightsV2: cfg.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
    if (!cfg.containerInsights) {
      acknowledge(
        this.cluster,
        'AwsSolutions-ECS4',
        'Container Insights is off by default to keep the minimum deployment cheap (its per-task metrics are billed as ' +
          'custom metrics); the service still has the free ECS CPU/memory and ALB metrics. Turn it on with service.containerInsights.',
      );
    }

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS task execution role of the mlship serving service: pulls the image, writes logs',
    });
    // The serving image has the pinned models baked in (DESIGN.md, "Serving image"), so the
    // running container needs no AWS permissions at all: the task role is deliberately empty.
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Task role of the mlship serving container (no permissions: models are in the image)',
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      // The pipeline registers its revisions in this same family.
      family: cfg.serviceName,
      cpu: cfg.cpu,
      memoryLimitMiB: cfg.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: cfg.architecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole: this.executionRole,
      taskRole: this.taskRole,
    });
    // Pipeline revisions reuse this execution role, so it may pull from the repository from day one,
    // even while CDK's own revision still runs the placeholder.
    props.repository.grantPull(this.executionRole);
    acknowledge(
      this.executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      'ecr:GetAuthorizationToken has no resource-level permissions (it must be granted on "*"); ' +
        'the pull actions themselves are limited to the serving repository.',
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const placeholder = cfg.image === PLACEHOLDER;
    this.taskDefinition.addContainer('Serving', {
      containerName: CONTAINER_NAME,
      image: ecs.ContainerImage.fromRegistry(placeholder ? PLACEHOLDER_IMAGE : cfg.image),
      command: placeholder ? PLACEHOLDER_COMMAND : undefined,
      // One server worker per vCPU, by the rule the deploy action applies to its revisions.
      environment: { MLSHIP_WORKERS: String(workersFor(cfg.cpu)) },
      essential: true,
      portMappings: [{ containerPort: CONTAINER_PORT, name: 'http', protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: CONTAINER_NAME }),
      // The server drains in-flight requests on SIGTERM; the target is deregistered before that.
      stopTimeout: Duration.seconds(30),
    });
    const serving = this.taskDefinition.defaultContainer!;
    serving.addEnvironment('MLSHIP_METRICS_PORT', String(METRICS_PORT));
    serving.addPortMappings({ containerPort: METRICS_PORT, name: 'metrics', protocol: ecs.Protocol.TCP });
    serving.addDockerLabel('ECS_PROMETHEUS_EXPORTER_PORT', String(METRICS_PORT));
    serving.addDockerLabel('ECS_PROMETHEUS_METRICS_PATH', '/metrics');
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds only non-secret serving settings (the metrics port); the serving container needs no secrets at all.',
    );

    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The only environment variable is MLSHIP_WORKERS, the server worker count derived from the task size: ' +
        'configuration, not a secret (the serving container holds no credentials; models are in the image).',
    );

    // Tasks run in public subnets with a public IP, so they reach ECR, CloudWatch Logs and S3
    // without a NAT gateway; inbound traffic is only allowed from the load balancer.
    const serviceSecurityGroup = (this.securityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: props.vpc,
      description: 'mlship serving tasks: inbound only from the load balancer',
      allowAllOutbound: true,
    }));
    const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      description: 'mlship serving load balancer: public HTTP(S) in, service port out',
      allowAllOutbound: false,
    });
    acknowledge(
      lbSecurityGroup,
      'AwsSolutions-EC23',
      'This is the public entry point of the model serving API: the internet-facing load balancer must accept ' +
        'HTTP(S) from anywhere. The tasks behind it accept traffic only from this security group.',
    );

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: cfg.serviceName,
      taskDefinition: this.taskDefinition,
      // desiredCount is left unset on purpose: CloudFormation starts one task at creation and
      // autoscaling owns the count afterwards, so a later `cdk deploy` never resets a scaled-out service.
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [serviceSecurityGroup],
      // A deploy whose tasks never become healthy is stopped and rolled back to the last good revision.
      circuitBreaker: { enable: true, rollback: true },
      // Rolling deploy that never drops below the running capacity: new tasks start first.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(cfg.healthCheckGracePeriodSeconds),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: lbSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogsBucket, 'alb');

    let listener: elbv2.ApplicationListener;
    if (cfg.https) {
      listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(cfg.https.certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: true,
      });
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
      this.url = `https://${cfg.https.domainName}`;
    } else {
      listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: true });
      this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
    }

    this.targetGroup = listener.addTargets('Serving', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: CONTAINER_PORT })],
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Short: the server drains on SIGTERM, and a long delay only slows every rollout down.
      deregistrationDelay: Duration.seconds(cfg.deregistrationDelaySeconds),
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: cfg.minTasks, maxCapacity: cfg.maxTasks });
    scaling.scaleOnCpuUtilization('CpuTargetTracking', {
      targetUtilizationPercent: cfg.targetCpuPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(180),
    });
  }

  /**
   * Batch jobs (jobs.enabled): the job routes' settings and database credentials for the serving
   * container, and the task role's access to `jobs/`. Added to the CDK revision; the deploy action
   * keeps a revision's environment and secrets, so they carry over into every pipeline deploy.
   */
  enableJobs(props: { environment: Record<string, string>; secrets: Record<string, ecs.Secret>; statements: iam.PolicyStatement[] }): void {
    const serving = this.taskDefinition.defaultContainer!;
    for (const [name, value] of Object.entries(props.environment)) serving.addEnvironment(name, value);
    for (const [name, secret] of Object.entries(props.secrets)) serving.addSecret(name, secret);
    for (const statement of props.statements) this.taskRole.addToPrincipalPolicy(statement);
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds no secret: MLSHIP_WORKERS, the metrics port and the job settings (the store, the retention, and ' +
        'DATABASE_URL with only host, port and database); the database user and password are ECS secrets (PGUSER/PGPASSWORD).',
    );
  }
}
