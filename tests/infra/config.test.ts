import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_FILE, PLACEHOLDER, loadConfig, parseConfig } from '../../infra/config.ts';
import { ACCOUNT, IMAGE, REGION, rawConfig } from './helpers.ts';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills defaults for everything but account, region and the GitHub repository', () => {
    const c = parseConfig(rawConfig());
    expect(c.stackName).toBe('Mlship');
    expect(c.bucket.modelsPrefix).toBe('models/');
    expect(c.ecr).toEqual({ repositoryName: 'mlship-serving', keepImages: 100 });
    expect(c.service).toMatchObject({ cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 3, image: PLACEHOLDER });
    expect(c.github).toEqual({ owner: 'acme', repo: 'models', subjectFormat: 'name', deployEnvironment: 'production' });
  });

  it('names each missing required field', () => {
    const e = errorOf(() => parseConfig({ region: REGION, github: { owner: 'acme' } }, 'infra/mlship.config.json'));
    expect(e.message).toContain('infra/mlship.config.json');
    expect(e.message).toMatch(/^ {2}- account: is required but missing$/m);
    expect(e.message).toMatch(/^ {2}- github\.repo: is required but missing$/m);
    expect(e.message).not.toContain('github.owner');
  });

  it('says what is wrong with a bad value', () => {
    const e = errorOf(() => parseConfig(rawConfig({ account: '12345', region: 'Europe' })));
    expect(e.message).toMatch(/- account: must be a 12-digit AWS account id/);
    expect(e.message).toMatch(/- region: must be an AWS region such as us-east-1/);
  });

  it('rejects unknown fields (typos) by name', () => {
    const e = errorOf(() => parseConfig(rawConfig({ service: { maxTask: 4 } })));
    expect(e.message).toMatch(/- service: unknown field\(s\): maxTask/);
  });

  it('rejects a task size Fargate does not offer', () => {
    const e = errorOf(() => parseConfig(rawConfig({ service: { cpu: 256, memoryMiB: 4096 } })));
    expect(e.message).toMatch(/- service\.memoryMiB: 4096 MiB is not a valid Fargate memory size for cpu 256; use one of 512, 1024, 2048/);
    expect(parseConfig(rawConfig({ service: { cpu: 1024, memoryMiB: 4096 } })).service.memoryMiB).toBe(4096);
  });

  it('requires maxTasks >= minTasks', () => {
    const e = errorOf(() => parseConfig(rawConfig({ service: { minTasks: 3, maxTasks: 2 } })));
    expect(e.message).toMatch(/- service\.maxTasks: must be >= service\.minTasks \(3\)/);
  });

  it('accepts only a digest-pinned image from the stack repository, or the placeholder', () => {
    expect(parseConfig(rawConfig({ service: { image: IMAGE } })).service.image).toBe(IMAGE);
    const tag = errorOf(() => parseConfig(rawConfig({ service: { image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mlship-serving:latest` } })));
    expect(tag.message).toMatch(/- service\.image: must be 'placeholder' or an image pinned by digest/);
    const other = errorOf(() => parseConfig(rawConfig({ service: { image: IMAGE.replace('mlship-serving', 'other') } })));
    expect(other.message).toMatch(/- service\.image: must be an image in this stack's repository 111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/mlship-serving/);
  });

  it('checks the existing OIDC provider ARN and its account', () => {
    const bad = errorOf(() => parseConfig(rawConfig({ github: { owner: 'acme', repo: 'models', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/example.com' } })));
    expect(bad.message).toMatch(/- github\.oidcProviderArn: must be the ARN of the token\.actions\.githubusercontent\.com OIDC provider/);
    const foreign = errorOf(() =>
      parseConfig(rawConfig({ github: { owner: 'acme', repo: 'models', oidcProviderArn: 'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com' } })),
    );
    expect(foreign.message).toMatch(/- github\.oidcProviderArn: belongs to account 999999999999/);
  });

  it("requires the owner and repository ids with the 'id' subject format, and only there", () => {
    const github = { owner: 'acme', repo: 'models' };
    const ids = parseConfig(rawConfig({ github: { ...github, subjectFormat: 'id', ownerId: 1234567, repositoryId: 890123456 } })).github;
    expect(ids).toMatchObject({ subjectFormat: 'id', ownerId: 1234567, repositoryId: 890123456 });
    const missing = errorOf(() => parseConfig(rawConfig({ github: { ...github, subjectFormat: 'id', ownerId: 1234567 } })));
    expect(missing.message).toMatch(/^ {2}- github\.repositoryId: is required with github\.subjectFormat 'id'$/m);
    expect(missing.message).not.toContain('github.ownerId');
    const unused = errorOf(() => parseConfig(rawConfig({ github: { ...github, ownerId: 1234567 } })));
    expect(unused.message).toMatch(/- github\.ownerId: is only used with github\.subjectFormat 'id'/);
    expect(errorOf(() => parseConfig(rawConfig({ github: { ...github, subjectFormat: 'ids' } }))).message).toMatch(/- github\.subjectFormat:/);
    expect(errorOf(() => parseConfig(rawConfig({ github: { ...github, subjectFormat: 'id', ownerId: -1, repositoryId: 1.5 } }))).message).toMatch(
      /- github\.ownerId:[\s\S]*- github\.repositoryId:/,
    );
  });

  it('trusts the deploy environment only: no null environment, and deployBranch is gone with a reason', () => {
    const none = errorOf(() => parseConfig(rawConfig({ github: { owner: 'acme', repo: 'models', deployEnvironment: null } })));
    expect(none.message).toMatch(/- github\.deployEnvironment: must name a GitHub environment: the deploy role trusts only its subject/);
    const branch = errorOf(() => parseConfig(rawConfig({ github: { owner: 'acme', repo: 'models', deployBranch: 'main' } })));
    expect(branch.message).toMatch(/- github: unknown field\(s\): deployBranch \(removed: the deploy role trusts only github\.deployEnvironment/);
  });

  it('checks availability zones belong to the region', () => {
    const e = errorOf(() => parseConfig(rawConfig({ network: { availabilityZones: ['eu-west-1a', 'us-east-1b'] } })));
    expect(e.message).toMatch(/- network\.availabilityZones\.1: us-east-1b is not in region eu-west-1/);
  });

  it('validates the lifecycle keep count (at least 10 images)', () => {
    const e = errorOf(() => parseConfig(rawConfig({ ecr: { keepImages: 2 } })));
    expect(e.message).toMatch(/- ecr\.keepImages:/);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-config-'));
  const file = join(dir, 'mlship.config.json');
  writeFileSync(file, JSON.stringify(rawConfig({ account: '012345678901' })));

  it('reads the example config shipped with the repository', () => {
    const { config } = loadConfig({ defaultFile: EXAMPLE_CONFIG_FILE });
    expect(config.account).toBe('123456789012');
    expect(config.service.image).toBe(PLACEHOLDER);
  });

  it('applies mlship:<path> context overrides, decoding numbers and keeping ids as strings', () => {
    const { config, overrides } = loadConfig({
      context: {
        'mlship:config': file,
        'mlship:service.maxTasks': '6',
        'mlship:service.containerInsights': 'true',
        'mlship:github.repo': '2024',
        'mlship:github.subjectFormat': 'id',
        'mlship:github.ownerId': '1234567',
        'mlship:github.repositoryId': '890123456',
        'mlship:service.image': IMAGE.replace(ACCOUNT, '012345678901'),
        'unrelated:key': 'x',
      },
    });
    expect(config.account).toBe('012345678901');
    expect(config.service.maxTasks).toBe(6);
    expect(config.service.containerInsights).toBe(true);
    expect(config.github.repo).toBe('2024');
    expect(config.github).toMatchObject({ subjectFormat: 'id', ownerId: 1234567, repositoryId: 890123456 });
    expect(overrides).toEqual(['mlship:github.ownerId', 'mlship:github.repo', 'mlship:github.repositoryId', 'mlship:github.subjectFormat', 'mlship:service.containerInsights', 'mlship:service.image', 'mlship:service.maxTasks']);
  });

  it('names the overriding context keys when the result is invalid', () => {
    const e = errorOf(() => loadConfig({ context: { 'mlship:config': file, 'mlship:service.minTasks': '0' } }));
    expect(e.message).toContain('with context mlship:service.minTasks');
    expect(e.message).toMatch(/- service\.minTasks:/);
  });

  it('explains a missing file', () => {
    const e = errorOf(() => loadConfig({ defaultFile: join(dir, 'absent.json') }));
    expect(e.message).toContain('mlship infra config file not found');
    expect(e.message).toContain('mlship.config.example.json');
  });

  it('explains a file that is not JSON', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "account": ');
    expect(errorOf(() => loadConfig({ defaultFile: broken })).message).toContain('is not valid JSON');
  });
});
