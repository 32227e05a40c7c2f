// GitHub Actions -> AWS without stored keys: the workflows exchange their OIDC token for short-lived
// credentials of one of two roles. Each role's trust policy pins the audience and the exact
// subject (`sub`) claims GitHub issues for this repository, so no other repository, fork, branch
// or environment can assume it.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';
import type { ModelBucket } from './model-bucket.ts';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GitHubOidcProps {
  readonly owner: string;
  readonly repo: string;
  /** Use this existing provider instead of creating one (one provider per URL per account). */
  readonly existingProviderArn?: string;
  readonly deployBranch: string;
  readonly deployEnvironment: string | null;
  readonly modelBucket: ModelBucket;
  readonly repository: ecr.IRepository;
  readonly service: ecs.IBaseService;
  /** The roles a deploy may hand to ECS in a task definition (task role and execution role). */
  readonly passRoles: readonly iam.IRole[];
  /** The task definition family the deploy registers revisions in. */
  readonly taskDefinitionFamily: string;
}

/** The `sub` claims GitHub issues for pull_request runs of `owner/repo`. */
export function trainSubjects(owner: string, repo: string): string[] {
  return [`repo:${owner}/${repo}:pull_request`];
}

/** The `sub` claims of the deploy job: the deploy branch, and the deploy environment if any. */
export function deploySubjects(owner: string, repo: string, branch: string, environment: string | null): string[] {
  const subjects = [`repo:${owner}/${repo}:ref:refs/heads/${branch}`];
  if (environment !== null) subjects.push(`repo:${owner}/${repo}:environment:${environment}`);
  return subjects;
}

export class GitHubOidc extends Construct {
  readonly providerArn: string;
  readonly trainRole: iam.Role;
  readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubOidcProps) {
    super(scope, id);
    const provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // No thumbprints: IAM trusts GitHub's certificate through its own CA store.
        });
    this.providerArn = provider.oidcProviderArn;

    const principal = (subjects: string[]) =>
      new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
        },
      });

    // ---- training: pull requests of this repository -------------------------------------------
    // Forked pull requests get no OIDC token from GitHub (no id-token: write), so they cannot
    // assume this role: they train and report without publishing, as DESIGN.md requires.
    this.trainRole = new iam.Role(this, 'TrainRole', {
      assumedBy: principal(trainSubjects(props.owner, props.repo)),
      description: `mlship training: pull requests of ${props.owner}/${props.repo} read the model bucket and add new model objects`,
      maxSessionDuration: Duration.hours(1),
    });
    for (const statement of props.modelBucket.readStatements()) this.trainRole.addToPrincipalPolicy(statement);
    this.trainRole.addToPrincipalPolicy(props.modelBucket.writeNewModelsStatement());

    // ---- deploy: the deploy branch / production environment ----------------------------------
    this.deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: principal(deploySubjects(props.owner, props.repo, props.deployBranch, props.deployEnvironment)),
      description: `mlship deploy: ${props.owner}/${props.repo} ${props.deployBranch} pushes the serving image and rolls out the ECS service`,
      maxSessionDuration: Duration.hours(1),
    });
    // The image build reads the pinned model objects to put them into the image (read only).
    for (const statement of props.modelBucket.readStatements()) this.deployRole.addToPrincipalPolicy(statement);
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EcrLogin',
        // The one action that cannot be scoped: GetAuthorizationToken has no resource type and must
        // be granted on "*". The token alone grants nothing; every push/pull below is checked
        // against this repository's ARN.
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PushServingImage',
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:DescribeImages',
          'ecr:DescribeImageScanFindings',
        ],
        resources: [props.repository.repositoryArn],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TaskDefinitions',
        // ECS has no resource-level permissions for task definitions: RegisterTaskDefinition and
        // DescribeTaskDefinition only accept "*" (aws/containers-roadmap#929). What a registered
        // revision can do is bounded by iam:PassRole below (only this service's two roles) and by
        // UpdateService (only this service).
        actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'],
        resources: ['*'],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollOutService',
        actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
        resources: [props.service.serviceArn],
      }),
    );
    const stack = Stack.of(this);
    const cluster = props.service.cluster;
    const ecsArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // A new revision carries the tags of the one it replaces, and tagging on create needs
    // ecs:TagResource: allowed only as part of RegisterTaskDefinition, and only in this family.
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TagNewRevisions',
        actions: ['ecs:TagResource'],
        resources: [ecsArn('task-definition', `${props.taskDefinitionFamily}:*`)],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      }),
    );

    // Following the rollout it started (actions/lib/ecs): the deployment's state and its service
    // deployment record, and on failure the stopped tasks' reasons. Scoped as far as the Service
    // Authorization Reference allows: ListServiceDeployments takes the service; DescribeServiceDeployments
    // requires both the service and its service-deployment ARNs; DescribeTasks takes task ARNs of the
    // cluster; ListTasks has no resource a Fargate request names (its type is container-instance), so
    // it is "*" narrowed by the `ecs:cluster` condition key, as the ECS policy examples do.
    const inCluster = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowRollout',
        actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
        resources: [props.service.serviceArn, ecsArn('service-deployment', `${cluster.clusterName}/${props.service.serviceName}/*`)],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeStoppedTasks',
        actions: ['ecs:DescribeTasks'],
        resources: [ecsArn('task', `${cluster.clusterName}/*`)],
        conditions: inCluster,
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListStoppedTasks',
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: inCluster,
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassServingRoles',
        actions: ['iam:PassRole'],
        resources: props.passRoles.map((role) => role.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );

    // cdk-nag names a wildcard resource by the bucket's logical id: `Resource::<ModelBucket1234.Arn>/*`.
    const bucketLogicalId = Stack.of(this).getLogicalId(props.modelBucket.bucket.node.defaultChild as CfnBucket);
    const bucketObjects = `Resource::<${bucketLogicalId}.Arn>/*`;
    const modelObjects = `Resource::<${bucketLogicalId}.Arn>/${props.modelBucket.modelsPrefix}*`;
    for (const role of [this.trainRole, this.deployRole]) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[${bucketObjects}]`,
        'Reading any object of the model bucket is the job: training reads the champion and data objects a spec names, ' +
          'the deploy reads the objects the lock pins. Keys are content-addressed and not known in advance.',
      );
    }
    acknowledge(
      this.trainRole,
      `AwsSolutions-IAM5[${modelObjects}]`,
      `New model versions are written under ${props.modelBucket.modelsPrefix}<name>/<version>/, a key only known after ` +
        'training; PutObject is limited to that prefix (no delete).',
    );
    // cdk-nag names these by the cluster's and service's logical ids, as above.
    const logicalIdOf = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    const arnPrefix = `arn:<AWS::Partition>:ecs:${stack.region}:${stack.account}`;
    acknowledge(
      this.deployRole,
      `AwsSolutions-IAM5[Resource::${arnPrefix}:service-deployment/<${logicalIdOf(cluster)}>/<${logicalIdOf(props.service)}.Name>/*]`,
      'A service deployment is created by each UpdateService and its id is only known then; the pattern covers the service ' +
        'deployments of this one service of this cluster, read only (ListServiceDeployments / DescribeServiceDeployments).',
    );
    acknowledge(
      this.deployRole,
      `AwsSolutions-IAM5[Resource::${arnPrefix}:task/<${logicalIdOf(cluster)}>/*]`,
      'Task ids are not known in advance: DescribeTasks (read only, to report why the tasks of a failed rollout stopped) is ' +
        "limited to this cluster's tasks, by ARN and by the ecs:cluster condition.",
    );
    acknowledge(
      this.deployRole,
      `AwsSolutions-IAM5[Resource::${arnPrefix}:task-definition/${props.taskDefinitionFamily}:*]`,
      'Revision numbers are assigned by RegisterTaskDefinition: ecs:TagResource is limited to revisions of the serving family, ' +
        'and by the ecs:CreateAction condition to tagging a revision as it is registered (no retagging of existing ones).',
    );
    acknowledge(
      this.deployRole,
      'AwsSolutions-IAM5[Resource::*]',
      'Only ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition are on "*" unconditionally: none ' +
        'of the three supports resource-level permissions. ecs:ListTasks is on "*" only with the ecs:cluster condition (its resource type is ' +
        'the container instance, which a Fargate request does not name). Push, UpdateService and PassRole are scoped to this repository, ' +
        'service and its two roles.',
    );
  }
}
