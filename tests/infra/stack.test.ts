// The default deployment (placeholder image, HTTP listener, new OIDC provider), property by property.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { CONTAINER_NAME, HEALTH_CHECK_PATH, METRICS_PORT, PLACEHOLDER_IMAGE } from '../../infra/constructs/serving-service.ts';
import { GITHUB_VARIABLES } from '../../infra/stack.ts';
import { REGION, logicalId, testConfig } from './helpers.ts';

let template: Template;
let bucketId: string;

beforeAll(() => {
  const { stack } = buildApp(testConfig({ service: { minTasks: 2, maxTasks: 5, targetCpuPercent: 55, deregistrationDelaySeconds: 20 } }), {
    nag: false,
  });
  template = Template.fromStack(stack);
  bucketId = logicalId(template, 'AWS::S3::Bucket', 'ModelBucket');
});

describe('model bucket', () => {
  it('is versioned, SSE encrypted and blocks all public access', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    });
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('is retained when the stack is deleted or the bucket replaced', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.UpdateReplacePolicy).toBe('Retain');
  });

  it('denies every request that is not over TLS 1.2+', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Action: unknown; Condition: unknown; Resource: unknown }[];
    const tls = statements.find((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
    expect(tls).toMatchObject({ Principal: { AWS: '*' }, Action: 's3:*' });
    expect(tls?.Resource).toEqual([{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }]);
    const oldTls = statements.find((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ NumericLessThan: { 's3:TlsVersion': 1.2 } }));
    expect(oldTls).toBeDefined();
  });

  it('expires only noncurrent versions, never current objects', () => {
    const rules = template.findResources('AWS::S3::Bucket')[bucketId]?.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual({
      Id: 'expire-noncurrent-versions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    for (const rule of rules) {
      expect(rule).not.toHaveProperty('ExpirationInDays');
      expect(rule).not.toHaveProperty('ExpirationDate');
      expect(rule).not.toHaveProperty('Transitions');
    }
  });

  it('has no Object Lock unless configured', () => {
    expect(template.findResources('AWS::S3::Bucket')[bucketId]?.Properties).not.toHaveProperty('ObjectLockEnabled');
  });

  it('sends server access logs to the access-log bucket', () => {
    const logs = logicalId(template, 'AWS::S3::Bucket', 'AccessLogs');
    expect(template.findResources('AWS::S3::Bucket')[bucketId]?.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logs },
      LogFilePrefix: 'model-bucket/',
    });
  });
});

describe('ECR repository', () => {
  it('has immutable tags and scans on push', () => {
    template.resourceCountIs('AWS::ECR::Repository', 1);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'mlship-serving',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });

  it('expires images only by count, keeping the configured number whatever their tags', () => {
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0];
    const policy = JSON.parse(repo?.Properties.LifecyclePolicy.LifecyclePolicyText as string) as { rules: { selection: Record<string, unknown>; action: unknown }[] };
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]?.selection).toEqual({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 });
    expect(policy.rules[0]?.action).toEqual({ type: 'expire' });
    expect(repo?.DeletionPolicy).toBe('Retain');
  });
});

describe('ECS service', () => {
  it('rolls out with the circuit breaker (with rollback) and never below the running capacity', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
      DeploymentController: { Type: 'ECS' },
      HealthCheckGracePeriodSeconds: 60,
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
    });
  });

  it('leaves the desired count to autoscaling', () => {
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service?.Properties).not.toHaveProperty('DesiredCount');
  });

  it('runs the serving container on port 8080 with logs in CloudWatch, the placeholder image at first', () => {
    const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'ServingLogs');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'mlship-serving',
      Cpu: '256',
      Memory: '512',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [
        Match.objectLike({
          Name: CONTAINER_NAME,
          Image: PLACEHOLDER_IMAGE,
          Essential: true,
          // /metrics on a port of its own, which the load balancer does not forward to
          PortMappings: [Match.objectLike({ ContainerPort: 8080, Protocol: 'tcp' }), Match.objectLike({ ContainerPort: METRICS_PORT, Protocol: 'tcp', Name: 'metrics' })],
          Environment: Match.arrayWith([{ Name: 'MLSHIP_METRICS_PORT', Value: String(METRICS_PORT) }]),
          DockerLabels: { ECS_PROMETHEUS_EXPORTER_PORT: String(METRICS_PORT), ECS_PROMETHEUS_METRICS_PATH: '/metrics' },
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: { 'awslogs-group': { Ref: logGroup }, 'awslogs-stream-prefix': 'serving', 'awslogs-region': REGION },
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('placeholder answers the readiness path the load balancer checks', () => {
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const command = (td?.Properties.ContainerDefinitions[0].Command as string[]).join(' ');
    expect(command).toContain('/www/v2/health/ready');
    expect(command).toContain('httpd -f -p 8080 -h /www');
  });

  it('health-checks /v2/health/ready through the target group, with a short deregistration delay', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: HEALTH_CHECK_PATH,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]),
    });
    expect(HEALTH_CHECK_PATH).toBe('/v2/health/ready');
  });

  it('puts the service behind an internet-facing ALB listening on HTTP 80, with access logs', () => {
    const logs = logicalId(template, 'AWS::S3::Bucket', 'AccessLogs');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    const lb = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    const attributes = lb?.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[];
    expect(attributes).toEqual(
      expect.arrayContaining([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: logs } },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    );
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });

  it('accepts traffic on the tasks only from the load balancer', () => {
    const lbSg = logicalId(template, 'AWS::EC2::SecurityGroup', 'ServingLoadBalancerSecurityGroup');
    const serviceSg = logicalId(template, 'AWS::EC2::SecurityGroup', 'ServingServiceSecurityGroup');
    const sg = template.findResources('AWS::EC2::SecurityGroup')[serviceSg];
    expect(sg?.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({ GroupId: { 'Fn::GetAtt': [serviceSg, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] }, FromPort: 8080, ToPort: 8080 }),
    ]);
  });

  it('scales on CPU between the configured min and max', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 5,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 55,
      }),
    });
  });
});

describe('network', () => {
  it('is a new VPC with public subnets in two zones and no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', ResourceType: 'VPC' });
  });

  it('takes the zones from Fn::GetAZs, so synthesis needs no lookup', () => {
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.AvailabilityZone).toMatchObject({ 'Fn::Select': [expect.any(Number), { 'Fn::GetAZs': '' }] });
    }
  });
});

describe('outputs', () => {
  it('has one output per GitHub repository variable, described by the variable name', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(GITHUB_VARIABLES).sort());
    for (const [variable, key] of Object.entries(GITHUB_VARIABLES)) {
      expect(outputs[key]?.Description).toBe(variable);
    }
  });

  it('points each output at the right resource', () => {
    const id = (type: string, prefix: string) => logicalId(template, type, prefix);
    const outputs = template.findOutputs('*');
    expect(outputs.MlshipBucket?.Value).toEqual({ Ref: bucketId });
    expect(outputs.MlshipEcsCluster?.Value).toEqual({ Ref: id('AWS::ECS::Cluster', 'Serving') });
    expect(outputs.MlshipEcsService?.Value).toEqual({ 'Fn::GetAtt': [id('AWS::ECS::Service', 'Serving'), 'Name'] });
    expect(outputs.MlshipTrainRoleArn?.Value).toEqual({ 'Fn::GetAtt': [id('AWS::IAM::Role', 'GitHubTrainRole'), 'Arn'] });
    expect(outputs.MlshipPublishRoleArn?.Value).toEqual({ 'Fn::GetAtt': [id('AWS::IAM::Role', 'GitHubPublishRole'), 'Arn'] });
    expect(outputs.MlshipPublishRoleArn?.Description).toBe('MLSHIP_PUBLISH_ROLE_ARN');
    expect(outputs.MlshipDeployRoleArn?.Value).toEqual({ 'Fn::GetAtt': [id('AWS::IAM::Role', 'GitHubDeployRole'), 'Arn'] });
    expect(outputs.MlshipServiceUrl?.Value).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [id('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Serving'), 'DNSName'] }]] });
    expect(JSON.stringify(outputs.MlshipEcrRepository?.Value)).toContain('.dkr.ecr.');
    expect(outputs.MlshipEcsContainer?.Value).toBe('serving');
    expect(outputs.MlshipModelsPrefix?.Value).toBe('models/');
    expect(outputs.AwsRegion?.Value).toBe(REGION);
  });
});
