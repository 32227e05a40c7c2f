// The whole deployment in one stack: network, model store, image repository, serving service and
// the GitHub OIDC roles, with outputs named after the GitHub repository variables the workflows read.
import { CfnOutput, Fn, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { MlshipConfig } from './config.ts';
import { AccessLogBucket } from './constructs/access-log-bucket.ts';
import { GitHubOidc } from './constructs/github-oidc.ts';
import { ImageRepository } from './constructs/image-repository.ts';
import { JobsDatabase } from './constructs/jobs-database.ts';
import { JobsWorkerService } from './constructs/jobs-worker-service.ts';
import { JOBS_PREFIX, ModelBucket } from './constructs/model-bucket.ts';
import { CONTAINER_NAME, ServingService } from './constructs/serving-service.ts';
import { acknowledge } from './nag.ts';

/**
 * Stack outputs, each named after the GitHub repository variable it fills. CloudFormation output
 * keys cannot contain '_', so the key is the PascalCase form and the output's Description is the
 * exact variable name (README: one loop copies them all with `gh variable set`).
 */
export const GITHUB_VARIABLES = {
  MLSHIP_BUCKET: 'MlshipBucket',
  MLSHIP_MODELS_PREFIX: 'MlshipModelsPrefix',
  MLSHIP_ECR_REPOSITORY: 'MlshipEcrRepository',
  MLSHIP_ECS_CLUSTER: 'MlshipEcsCluster',
  MLSHIP_ECS_SERVICE: 'MlshipEcsService',
  MLSHIP_ECS_CONTAINER: 'MlshipEcsContainer',
  MLSHIP_TRAIN_ROLE_ARN: 'MlshipTrainRoleArn',
  MLSHIP_PUBLISH_ROLE_ARN: 'MlshipPublishRoleArn',
  MLSHIP_DEPLOY_ROLE_ARN: 'MlshipDeployRoleArn',
  MLSHIP_SERVICE_URL: 'MlshipServiceUrl',
  AWS_REGION: 'AwsRegion',
} as const;
export type GitHubVariable = keyof typeof GITHUB_VARIABLES;

export interface MlshipStackProps extends Omit<StackProps, 'env'> {
  readonly config: MlshipConfig;
}

export class MlshipStack extends Stack {
  readonly config: MlshipConfig;
  readonly vpc: ec2.Vpc;
  readonly accessLogs: AccessLogBucket;
  readonly modelBucket: ModelBucket;
  readonly imageRepository: ImageRepository;
  readonly serving: ServingService;
  readonly github: GitHubOidc;
  /** With jobs.enabled: the jobs database and the job-worker service. */
  readonly jobs?: { database: JobsDatabase; worker: JobsWorkerService };
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: MlshipStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      stackName: props.stackName ?? config.stackName,
      description: props.description ?? `mlship: model store, serving image repository and ECS service for ${config.github.owner}/${config.github.repo}`,
      // Explicit account and region: synthesis never needs credentials or lookups.
      env: { account: config.account, region: config.region },
    });
    this.config = config;
    // Default: the first two zones of the account's list, resolved by CloudFormation at deploy time
    // (Fn::GetAZs), so synthesis needs no lookup and the template hardcodes no zone name.
    this.zones = config.network.availabilityZones ?? [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
    if (config.network.availabilityZones) {
      Validations.of(this).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason: 'network.availabilityZones names the zones explicitly on purpose (zones where Fargate runs in this account).',
      });
    }
    Tags.of(this).add('project', 'mlship');
    Tags.of(this).add('mlship:repository', `${config.github.owner}/${config.github.repo}`);

    this.accessLogs = new AccessLogBucket(this, 'AccessLogs', { expirationDays: config.logs.accessLogExpirationDays });

    // Public subnets only and no NAT gateway: tasks get a public IP for outbound calls (ECR, logs,
    // S3) and accept inbound traffic only from the load balancer's security group. A NAT gateway
    // (~$33/month each, plus data) or interface endpoints (~$7/month each per AZ) would cost more than
    // the whole minimum deployment. See README, "Network: why no NAT gateway".
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.network.cidr),
      availabilityZones: this.zones,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        // The jobs database only: no route to the internet (after the public ones, so their ranges stay).
        ...(config.jobs.enabled ? [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }] : []),
      ],
      restrictDefaultSecurityGroup: false,
      // Rejected traffic only (port scans, misrouted calls): the security signal, at a fraction of the volume of ALL.
      flowLogs: {
        s3: {
          destination: ec2.FlowLogDestination.toS3(this.accessLogs.bucket, 'vpc-flow-logs/'),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });

    this.modelBucket = new ModelBucket(this, 'ModelBucket', {
      bucketName: config.bucket.name,
      modelsPrefix: config.bucket.modelsPrefix,
      noncurrentVersionExpirationDays: config.bucket.noncurrentVersionExpirationDays,
      objectLock: config.bucket.objectLock,
      accessLogsBucket: this.accessLogs.bucket,
      jobsRetentionDays: config.jobs.enabled ? config.jobs.retentionDays : undefined,
    });

    this.imageRepository = new ImageRepository(this, 'ImageRepository', {
      repositoryName: config.ecr.repositoryName,
      keepImages: config.ecr.keepImages,
    });

    this.serving = new ServingService(this, 'Serving', {
      vpc: this.vpc,
      repository: this.imageRepository.repository,
      accessLogsBucket: this.accessLogs.bucket,
      service: config.service,
      logRetentionDays: config.logs.retentionDays,
    });

    if (config.jobs.enabled) this.jobs = this.addJobs(config);

    this.github = new GitHubOidc(this, 'GitHub', {
      github: config.github,
      existingProviderArn: config.github.oidcProviderArn,
      deployEnvironment: config.github.deployEnvironment,
      modelBucket: this.modelBucket,
      repository: this.imageRepository.repository,
      service: this.serving.service,
      passRoles: [this.serving.taskRole, this.serving.executionRole],
      taskDefinitionFamily: this.serving.taskDefinition.family,
    });

    const output = (variable: GitHubVariable, value: string) =>
      new CfnOutput(this, GITHUB_VARIABLES[variable], { value, description: variable });
    output('MLSHIP_BUCKET', this.modelBucket.bucket.bucketName);
    output('MLSHIP_MODELS_PREFIX', this.modelBucket.modelsPrefix);
    output('MLSHIP_ECR_REPOSITORY', this.imageRepository.repository.repositoryUri);
    output('MLSHIP_ECS_CLUSTER', this.serving.cluster.clusterName);
    output('MLSHIP_ECS_SERVICE', this.serving.service.serviceName);
    output('MLSHIP_ECS_CONTAINER', CONTAINER_NAME);
    output('MLSHIP_TRAIN_ROLE_ARN', this.github.trainRole.roleArn);
    output('MLSHIP_PUBLISH_ROLE_ARN', this.github.publishRole.roleArn);
    output('MLSHIP_DEPLOY_ROLE_ARN', this.github.deployRole.roleArn);
    output('MLSHIP_SERVICE_URL', this.serving.url);
    output('AWS_REGION', this.region);
  }

  // Batch jobs: the database, the serving tasks' job settings and the worker service. Both kinds of
  // task get DATABASE_URL without credentials and PGUSER/PGPASSWORD as ECS secrets, which `pg` (and
  // pg-boss through it) uses when the URL names no user or password: no application change.
  private addJobs(config: MlshipConfig): { database: JobsDatabase; worker: JobsWorkerService } {
    const database = new JobsDatabase(this, 'JobsDatabase', { vpc: this.vpc, database: config.jobs.database });
    const storeUri = `s3://${this.modelBucket.bucket.bucketName}`;
    const environment = {
      DATABASE_URL: database.url,
      MLSHIP_JOB_RETENTION: String(config.jobs.retentionDays * 24 * 3600),
      // The S3 store's client needs a region; named here rather than trusting the platform to set it.
      AWS_REGION: this.region,
    };
    const secrets = {
      PGUSER: ecs.Secret.fromSecretsManager(database.secret, 'username'),
      PGPASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password'),
    };
    // The serving tasks queue jobs and answer for them; the worker service runs them, so the
    // server starts no job worker of its own (MLSHIP_JOB_WORKERS=0) and its HTTP workers stay lean.
    this.serving.enableJobs({
      environment: { ...environment, MLSHIP_STORE: storeUri, MLSHIP_JOB_WORKERS: '0' },
      secrets,
      statements: this.modelBucket.jobObjectsStatements(),
    });
    const worker = new JobsWorkerService(this, 'JobsWorker', {
      cluster: this.serving.cluster,
      repository: this.imageRepository.repository,
      image: config.service.image,
      architecture: config.service.architecture,
      worker: config.jobs.worker,
      storeUri,
      environment,
      secrets,
      statements: [...this.modelBucket.readModelStatements(), ...this.modelBucket.jobObjectsStatements()],
      logRetentionDays: config.logs.retentionDays,
    });
    const jobObjects = this.modelBucket.wildcardFinding(JOBS_PREFIX);
    acknowledge(
      this.serving.taskRole,
      jobObjects,
      'The job routes write each uploaded CSV and read each result under jobs/<random job id>/, ids made per request: ' +
        'objects under the jobs/ prefix only (get, put, delete), nothing under models/.',
    );
    acknowledge(
      worker.taskRole,
      jobObjects,
      'The worker reads each job input and writes its results under jobs/<random job id>/, ids made per request, and deletes ' +
        'expired ones: objects under the jobs/ prefix only.',
    );
    acknowledge(
      worker.taskRole,
      this.modelBucket.wildcardFinding(this.modelBucket.modelsPrefix),
      'The worker reads the model versions the lock pins (sha256-verified) from the models prefix; keys are per version and ' +
        'not known when the stack is made. GetObject only.',
    );
    database.allowFrom(this.serving.securityGroup, 'PostgreSQL from the mlship serving tasks');
    database.allowFrom(worker.securityGroup, 'PostgreSQL from the mlship job-worker tasks');
    return { database, worker };
  }

  // The VPC asks the stack for its zones; answering from the config keeps synthesis offline
  // (the default implementation would record a context lookup that needs AWS credentials).
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
