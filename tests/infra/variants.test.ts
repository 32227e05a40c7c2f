// Configuration options that change the template: pipeline image, HTTPS, Object Lock, an existing
// OIDC provider, another deploy environment, explicit zones.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { IMAGE, OWNER, REPO, logicalId, testConfig, trustOf } from './helpers.ts';

const PROVIDER_ARN = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:111122223333:certificate/abcd-1234';

let template: Template;

beforeAll(() => {
  const { stack } = buildApp(
    testConfig({
      github: { owner: OWNER, repo: REPO, oidcProviderArn: PROVIDER_ARN, deployEnvironment: 'live' },
      bucket: { objectLock: { mode: 'GOVERNANCE', days: 30 }, noncurrentVersionExpirationDays: 400 },
      ecr: { keepImages: 250 },
      service: {
        image: IMAGE,
        architecture: 'ARM64',
        cpu: 512,
        memoryMiB: 1024,
        https: { certificateArn: CERTIFICATE_ARN, domainName: 'models.example.com' },
      },
      network: { availabilityZones: ['eu-west-1b', 'eu-west-1c'] },
    }),
    { nag: false },
  );
  template = Template.fromStack(stack);
});

describe('pipeline-owned image', () => {
  it('runs the image passed in config/context, pinned by digest, without the placeholder command', () => {
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const container = td?.Properties.ContainerDefinitions[0] as Record<string, unknown>;
    expect(container.Image).toBe(IMAGE);
    expect(container).not.toHaveProperty('Command');
    expect(container).not.toHaveProperty('EntryPoint');
    expect(td?.Properties).toMatchObject({ Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
  });
});

describe('HTTPS', () => {
  it('listens on 443 with the certificate and redirects 80 to it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
    });
    expect(template.findOutputs('MlshipServiceUrl').MlshipServiceUrl?.Value).toBe('https://models.example.com');
  });
});

describe('Object Lock', () => {
  it('turns on Object Lock with a default retention', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 400 } })]) },
    });
  });
});

describe('ECR keep count', () => {
  it('follows ecr.keepImages', () => {
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0];
    expect(JSON.parse(repo?.Properties.LifecyclePolicy.LifecyclePolicyText as string).rules[0].selection.countNumber).toBe(250);
  });
});

describe('existing OIDC provider', () => {
  it('creates no provider and trusts the given one, in all three roles', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    for (const name of ['Train', 'Publish', 'Deploy']) {
      const trust = trustOf(template, logicalId(template, 'AWS::IAM::Role', `GitHub${name}Role`));
      expect(trust).toHaveLength(1);
      expect(trust[0]).toMatchObject({ Principal: { Federated: PROVIDER_ARN } });
    }
  });

  it('trusts the configured deploy environment, and only it', () => {
    const trust = trustOf(template, logicalId(template, 'AWS::IAM::Role', 'GitHubDeployRole'));
    expect(trust[0]?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:${OWNER}/${REPO}:environment:live`,
      },
    });
  });
});

describe('explicit availability zones', () => {
  it('places the subnets in the named zones', () => {
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone as string);
    expect(zones.sort()).toEqual(['eu-west-1b', 'eu-west-1c']);
  });
});
