// Batch jobs in the infra app (issue 12, "Infra"): off by default (no database, no worker); on, a
// PostgreSQL in isolated subnets reachable only from the serving and worker tasks, its password in
// Secrets Manager and given to both tasks as ECS secrets, the worker service scaled on queue depth,
// the lifecycle rule on jobs/, least-privilege task roles, and cdk-nag clean.
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { ConfigError } from '../../infra/config.ts';
import { JOB_METRICS } from '../../infra/constructs/jobs-worker-service.ts';
import { IMAGE, REGION, actionsOf, logicalId, resourcesOf, statementsOfRole, testConfig } from './helpers.ts';

const JOB_RESOURCE_TYPES = ['AWS::RDS::DBInstance', 'AWS::RDS::DBSubnetGroup', 'AWS::SecretsManager::Secret', 'AWS::CloudWatch::Alarm'];

interface Container {
  Name: string;
  Image: string;
  Command?: string[];
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
}

const containerOf = (template: Template, family: string): Container => {
  const td = Object.values(template.findResources('AWS::ECS::TaskDefinition')).find((r) => r.Properties.Family === family);
  if (!td) throw new Error(`no task definition ${family}`);
  return td.Properties.ContainerDefinitions[0] as Container;
};
const envNames = (c: Container) => (c.Environment ?? []).map((e) => e.Name);
const env = (c: Container, name: string) => c.Environment?.find((e) => e.Name === name)?.Value;

describe('jobs off (the default)', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(buildApp(testConfig(), { nag: false }).stack);
  });

  it('has no database, secret, worker service, queue alarms or isolated subnets', () => {
    for (const type of JOB_RESOURCE_TYPES) template.resourceCountIs(type, 0);
    template.resourceCountIs('AWS::ECS::Service', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
  });

  it('gives the serving task no database setting and its role no permission', () => {
    const serving = containerOf(template, 'mlship-serving');
    expect(envNames(serving)).not.toContain('DATABASE_URL');
    expect(serving.Secrets).toBeUndefined();
    expect(statementsOfRole(template, logicalId(template, 'AWS::IAM::Role', 'ServingTaskRole'))).toEqual([]);
  });

  it('has no lifecycle rule on jobs/', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(template, 'AWS::S3::Bucket', 'ModelBucket')];
    expect(JSON.stringify(bucket?.Properties.LifecycleConfiguration)).not.toContain('jobs/');
  });
});

describe('jobs on', () => {
  let template: Template;
  let app: ReturnType<typeof buildApp>['app'];
  beforeAll(() => {
    const built = buildApp(testConfig({ service: { image: IMAGE }, jobs: { enabled: true, retentionDays: 3, worker: { minTasks: 0, maxTasks: 4, concurrency: 2 } } }), { nag: false });
    app = built.app;
    template = Template.fromStack(built.stack);
  });

  it('makes one encrypted, private PostgreSQL with backups, deletion protection and a final snapshot, in isolated subnets', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    const [id, db] = Object.entries(template.findResources('AWS::RDS::DBInstance'))[0]!;
    expect(db.Properties).toMatchObject({
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      MultiAZ: false,
      DBName: 'mlship',
    });
    expect(template.toJSON().Resources[id].DeletionPolicy).toBe('Snapshot');
    // the subnet group's subnets are the isolated ones: no route to an internet gateway
    const group = Object.values(template.findResources('AWS::RDS::DBSubnetGroup'))[0]!;
    const subnetIds = (group.Properties.SubnetIds as { Ref: string }[]).map((r) => r.Ref);
    expect(subnetIds).toHaveLength(2);
    for (const subnet of subnetIds) expect(subnet).toMatch(/isolated/i);
    const routes = Object.values(template.findResources('AWS::EC2::Route'));
    const tables = Object.values(template.findResources('AWS::EC2::SubnetRouteTableAssociation'))
      .filter((a) => subnetIds.includes((a.Properties.SubnetId as { Ref: string }).Ref))
      .map((a) => (a.Properties.RouteTableId as { Ref: string }).Ref);
    expect(tables).toHaveLength(2);
    expect(routes.filter((r) => tables.includes((r.Properties.RouteTableId as { Ref: string }).Ref))).toEqual([]);
  });

  it('admits PostgreSQL only from the serving and the worker security groups, and sends nothing out', () => {
    const dbGroup = logicalId(template, 'AWS::EC2::SecurityGroup', 'JobsDatabaseSecurityGroup');
    const group = template.findResources('AWS::EC2::SecurityGroup')[dbGroup]!;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined(); // no inline (CIDR) rule
    expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => (r.Properties.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === dbGroup,
    );
    const sources = ingress.map((r) => (r.Properties.SourceSecurityGroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual(
      [logicalId(template, 'AWS::EC2::SecurityGroup', 'JobsWorkerSecurityGroup'), logicalId(template, 'AWS::EC2::SecurityGroup', 'ServingServiceSecurityGroup')].sort(),
    );
    for (const rule of ingress) expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: { 'Fn::GetAtt': [expect.any(String), 'Endpoint.Port'] } });
    expect(Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).some((r) => r.Properties.CidrIp !== undefined && (r.Properties.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === dbGroup)).toBe(false);
  });

  it('keeps the password in Secrets Manager and gives both tasks PGUSER/PGPASSWORD as ECS secrets, DATABASE_URL without credentials', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secret = logicalId(template, 'AWS::SecretsManager::SecretTargetAttachment', 'JobsDatabaseInstanceSecretAttachment');
    for (const family of ['mlship-serving', 'mlship-jobs-worker']) {
      const c = containerOf(template, family);
      expect(c.Secrets, family).toEqual([
        { Name: 'PGUSER', ValueFrom: { 'Fn::Join': ['', [{ Ref: secret }, ':username::']] } },
        { Name: 'PGPASSWORD', ValueFrom: { 'Fn::Join': ['', [{ Ref: secret }, ':password::']] } },
      ]);
      const url = JSON.stringify(env(c, 'DATABASE_URL'));
      expect(url).toContain('postgres://');
      expect(url).toContain('Endpoint.Address');
      expect(url).not.toMatch(/password|username|@/i);
      expect(envNames(c)).not.toContain('PGPASSWORD');
      expect(env(c, 'MLSHIP_JOB_RETENTION')).toBe(String(3 * 24 * 3600));
      expect(env(c, 'AWS_REGION')).toBe(REGION);
    }
    // the execution roles (which resolve ECS secrets) may read that one secret
    for (const prefix of ['ServingExecutionRole', 'JobsWorkerExecutionRole']) {
      const reads = statementsOfRole(template, logicalId(template, 'AWS::IAM::Role', prefix)).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
      expect(reads.flatMap(resourcesOf), prefix).toEqual([{ Ref: secret }]);
    }
  });

  it('points the serving tasks at the bucket for jobs, without a job worker of their own', () => {
    const serving = containerOf(template, 'mlship-serving');
    expect(env(serving, 'MLSHIP_STORE')).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: logicalId(template, 'AWS::S3::Bucket', 'ModelBucket') }]] });
    expect(env(serving, 'MLSHIP_JOB_WORKERS')).toBe('0');
  });

  it('runs the worker as its own service from the serving image, with the worker command', () => {
    template.resourceCountIs('AWS::ECS::Service', 2);
    template.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'mlship-jobs-worker', LaunchType: 'FARGATE' });
    const worker = containerOf(template, 'mlship-jobs-worker');
    expect(worker.Image).toBe(IMAGE);
    expect(worker.Command?.slice(0, 5)).toEqual(['node', '/app/serve.mjs', 'worker', '--lock', '/app/models.lock.json']);
    expect(worker.Command?.[5]).toBe('--store');
    expect(env(worker, 'MLSHIP_JOB_CONCURRENCY')).toBe('2');
    const service = Object.values(template.findResources('AWS::ECS::Service')).find((s) => s.Properties.ServiceName === 'mlship-jobs-worker')!;
    expect(service.Properties).not.toHaveProperty('DesiredCount');
  });

  it('scales the worker on queue depth: a step policy on jobs queued, another on jobs queued or running', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 4, ResourceId: { 'Fn::Join': ['', ['service/', { Ref: logicalId(template, 'AWS::ECS::Cluster', 'ServingCluster') }, '/', { 'Fn::GetAtt': [logicalId(template, 'AWS::ECS::Service', 'JobsWorkerService'), 'Name'] }]] } });
    const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).filter((p) => p.Properties.PolicyType === 'StepScaling');
    expect(policies.map((p) => p.Properties.StepScalingPolicyConfiguration.StepAdjustments)).toEqual(
      expect.arrayContaining([[{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }]]),
    );
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const out = alarms.find((a) => a.MetricName === JOB_METRICS.queued);
    expect(out).toMatchObject({ Namespace: JOB_METRICS.namespace, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    const inn = alarms.find((a) => a.Metrics !== undefined);
    expect(inn).toMatchObject({ ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 0 });
    expect(JSON.stringify(inn?.Metrics)).toContain(JOB_METRICS.running);
  });

  it('expires jobs/ after the retention, and their noncurrent versions a day later', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(template, 'AWS::S3::Bucket', 'ModelBucket')];
    expect(bucket?.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'expire-job-objects',
      Prefix: 'jobs/',
      Status: 'Enabled',
      ExpirationInDays: 3,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
  });

  it('lets the worker task read models/ and read/write jobs/ only, the serving task jobs/ only', () => {
    const bucket = logicalId(template, 'AWS::S3::Bucket', 'ModelBucket');
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    const bucketArn = { 'Fn::GetAtt': [bucket, 'Arn'] };
    const grants = (role: string) =>
      statementsOfRole(template, logicalId(template, 'AWS::IAM::Role', role))
        .flatMap((s) => actionsOf(s).flatMap((a) => resourcesOf(s).map((r) => `${a} ${JSON.stringify(r)}`)))
        .sort();
    const rw = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'].map((a) => `${a} ${JSON.stringify(objects('jobs/'))}`);
    const list = `s3:ListBucket ${JSON.stringify(bucketArn)}`;
    expect(grants('JobsWorkerTaskRole')).toEqual([...rw, list, `s3:GetObject ${JSON.stringify(objects('models/'))}`].sort());
    expect(grants('ServingTaskRole')).toEqual([...rw, list].sort());
  });

  it('is cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('synthesizes with the AwsSolutions plugin enforced, as `cdk deploy` does', () => {
    const enforced = buildApp(testConfig({ jobs: { enabled: true } }), { outdir: mkdtempSync(join(tmpdir(), 'mlship-jobs-nag-')) });
    expect(() => enforced.app.synth()).not.toThrow();
  });
});

describe('jobs options', () => {
  it('follows the database settings, and is nag clean without deletion protection or with Multi-AZ', () => {
    const { app, stack } = buildApp(
      testConfig({ jobs: { enabled: true, database: { instanceClass: 't4g.small', multiAz: true, deletionProtection: false, backupRetentionDays: 14, allocatedStorageGiB: 50 } } }),
      { nag: false },
    );
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.t4g.small',
      MultiAZ: true,
      DeletionProtection: false,
      BackupRetentionPeriod: 14,
      AllocatedStorage: '50',
    });
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('refuses an invalid worker size or scaling range, naming the field', () => {
    expect(() => testConfig({ jobs: { worker: { cpu: 256, memoryMiB: 4096 } } })).toThrow(/jobs\.worker\.memoryMiB: 4096 MiB is not a valid Fargate memory size/);
    expect(() => testConfig({ jobs: { worker: { minTasks: 3, maxTasks: 2 } } })).toThrow(/jobs\.worker\.maxTasks: must be >= jobs\.worker\.minTasks/);
    expect(() => testConfig({ jobs: { database: { backupRetentionDays: 0 } } })).toThrow(ConfigError);
  });
});
