// What the deploy role may do: push the serving image to the one repository, register a task
// definition revision and roll it out on the one service, follow that rollout, and hand ECS only the
// service's two roles. Scoped as far as IAM allows; the few "*" resources are acknowledged below.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';
import type { ModelBucket } from './model-bucket.ts';

export interface DeployPermissionsProps {
  readonly modelBucket: ModelBucket;
  readonly repository: ecr.IRepository;
  readonly service: ecs.IBaseService;
  /** The roles a deploy may hand to ECS in a task definition (task role and execution role). */
  readonly passRoles: readonly iam.IRole[];
  /** The task definition family the deploy registers revisions in. */
  readonly taskDefinitionFamily: string;
}

export function addDeployPermissions(role: iam.Role, props: DeployPermissionsProps): void {
  // The image build reads the pinned model objects to put them into the image (read only).
  for (const statement of props.modelBucket.readStatements()) role.addToPrincipalPolicy(statement);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EcrLogin',
      // The one action that cannot be scoped: GetAuthorizationToken has no resource type and must
      // be granted on "*". The token alone grants nothing; every push/pull below is checked
      // against this repository's ARN.
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }),
  );
  role.addToPrincipalPolicy(
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
  role.addToPrincipalPolicy(
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
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RollOutService',
      actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
      resources: [props.service.serviceArn],
    }),
  );
  const stack = Stack.of(role);
  const cluster = props.service.cluster;
  const ecsArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  // A new revision carries the tags of the one it replaces, and tagging on create needs
  // ecs:TagResource: allowed only as part of RegisterTaskDefinition, and only in this family.
  role.addToPrincipalPolicy(
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
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'FollowRollout',
      actions: ['ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
      resources: [props.service.serviceArn, ecsArn('service-deployment', `${cluster.clusterName}/${props.service.serviceName}/*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeStoppedTasks',
      actions: ['ecs:DescribeTasks'],
      resources: [ecsArn('task', `${cluster.clusterName}/*`)],
      conditions: inCluster,
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListStoppedTasks',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: inCluster,
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PassServingRoles',
      actions: ['iam:PassRole'],
      resources: props.passRoles.map((role) => role.roleArn),
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
  );


  // cdk-nag names a wildcard resource by the logical ids in it: `<Cluster1234>`, `<Service1234.Name>`.
  const logicalIdOf = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const arnPrefix = `arn:<AWS::Partition>:ecs:${stack.region}:${stack.account}`;
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${arnPrefix}:service-deployment/<${logicalIdOf(cluster)}>/<${logicalIdOf(props.service)}.Name>/*]`,
    'A service deployment is created by each UpdateService and its id is only known then; the pattern covers the service ' +
      'deployments of this one service of this cluster, read only (ListServiceDeployments / DescribeServiceDeployments).',
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${arnPrefix}:task/<${logicalIdOf(cluster)}>/*]`,
    'Task ids are not known in advance: DescribeTasks (read only, to report why the tasks of a failed rollout stopped) is ' +
      "limited to this cluster's tasks, by ARN and by the ecs:cluster condition.",
  );
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${arnPrefix}:task-definition/${props.taskDefinitionFamily}:*]`,
    'Revision numbers are assigned by RegisterTaskDefinition: ecs:TagResource is limited to revisions of the serving family, ' +
      'and by the ecs:CreateAction condition to tagging a revision as it is registered (no retagging of existing ones).',
  );
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    'Only ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition are on "*" unconditionally: none ' +
      'of the three supports resource-level permissions. ecs:ListTasks is on "*" only with the ecs:cluster condition (its resource type is ' +
      'the container instance, which a Fargate request does not name). Push, UpdateService and PassRole are scoped to this repository, ' +
      'service and its two roles.',
  );
}
