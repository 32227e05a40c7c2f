// Issue 16 items 18 and 19: the bucket itself refuses overwriting a model object (for every
// principal, not only this stack's roles); the CDK CLI, the placeholder image and the install
// scripts are pinned; the task definition sets MLSHIP_WORKERS from the task size.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { workersFor } from '../../actions/lib/ecs/render.ts';
import { buildApp } from '../../infra/build-app.ts';
import { PLACEHOLDER_IMAGE } from '../../infra/constructs/serving-service.ts';
import { IMAGE, logicalId, testConfig } from './helpers.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
}

/** A request to the bucket, as IAM sees its condition keys (absent keys are missing). */
interface S3Request {
  action: string;
  key: string;
  keys: Record<string, string>;
}

/** Whether a Deny statement of the bucket policy matches the request (Null and Bool, as IAM evaluates them). */
function denies(statement: PolicyStatement, prefix: string, request: S3Request): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (statement.Effect !== 'Deny' || !actions.includes(request.action)) return false;
  const resource = JSON.stringify(statement.Resource);
  if (!resource.includes(`/${prefix}*`) || !request.key.startsWith(prefix)) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      if (operator === 'Null') return (request.keys[key] === undefined) === (expected === 'true');
      if (operator === 'Bool') return request.keys[key] === expected;
      throw new Error(`denies does not model ${operator}`);
    }),
  );
}

describe('model bucket: write once, for every principal', () => {
  let statements: PolicyStatement[];
  beforeAll(() => {
    const template = Template.fromStack(buildApp(testConfig(), { nag: false }).stack);
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'ModelBucket');
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
    statements = policies[0]!.Properties.PolicyDocument.Statement as PolicyStatement[];
  });

  it('the bucket policy denies any object write under the models prefix without If-None-Match, to anyone', () => {
    const deny = statements.find((s) => s.Sid === 'DenyModelObjectOverwrite');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
    });
    expect(JSON.stringify(deny!.Resource)).toContain('/models/*');
  });

  it('refuses an overwrite (PutObject, CopyObject, CompleteMultipartUpload without the header), allows what the store sends', () => {
    const deny = statements.find((s) => s.Sid === 'DenyModelObjectOverwrite')!;
    const key = 'models/iris/4f1c2a9e07b3/model.json';
    const creating = { 's3:ObjectCreationOperation': 'true' };
    // what an overwrite looks like: a plain PutObject, a CopyObject, a completion without the header
    expect(denies(deny, 'models/', { action: 's3:PutObject', key, keys: creating })).toBe(true);
    // what mlship sends: PutObject / CompleteMultipartUpload with If-None-Match: *, and parts
    expect(denies(deny, 'models/', { action: 's3:PutObject', key, keys: { ...creating, 's3:if-none-match': '*' } })).toBe(false);
    expect(denies(deny, 'models/', { action: 's3:PutObject', key, keys: { 's3:ObjectCreationOperation': 'false' } })).toBe(false);
    // outside the models prefix the statement does not apply
    expect(denies(deny, 'models/', { action: 's3:PutObject', key: 'other/x', keys: creating })).toBe(false);
  });
});

describe('pins', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;

  it('the CDK CLI is an exactly pinned devDependency, and no document or template runs an unpinned one', () => {
    expect(pkg.devDependencies?.['aws-cdk']).toMatch(/^\d+\.\d+\.\d+$/);
    const files = ['README.md', 'infra/README.md', 'infra/app.ts', 'package.json'];
    for (const file of files) {
      const text = readFileSync(path.join(REPO, file), 'utf8');
      expect(text, file).not.toMatch(/npx (?:--yes |-y )?aws-cdk/);
    }
    expect(readFileSync(path.join(REPO, 'infra/README.md'), 'utf8')).toMatch(/npx --no -- cdk deploy/);
  });

  it('package.json has no allowScripts (npm ignores it; npm runs the install scripts of node and esbuild by default)', () => {
    expect(pkg).not.toHaveProperty('allowScripts');
    const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    expect(lock.packages['node_modules/node']?.hasInstallScript).toBe(true);
    expect(lock.packages['node_modules/esbuild']?.hasInstallScript).toBe(true);
  });

  it('the placeholder image is pinned by digest', () => {
    expect(PLACEHOLDER_IMAGE).toMatch(/^public\.ecr\.aws\/docker\/library\/busybox@sha256:[0-9a-f]{64}$/);
  });
});

describe('task definition', () => {
  const workersIn = (cpu: number, memoryMiB: number, image = 'placeholder') => {
    const template = Template.fromStack(buildApp(testConfig({ service: { cpu, memoryMiB, image } }), { nag: false }).stack);
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!;
    const env = (td.Properties.ContainerDefinitions[0].Environment ?? []) as { Name: string; Value: string }[];
    return env.find((e) => e.Name === 'MLSHIP_WORKERS')?.Value;
  };

  it('sets MLSHIP_WORKERS from the task size, by the deploy action’s rule (one per vCPU, at least one)', () => {
    expect(workersIn(256, 512)).toBe('1');
    expect(workersIn(2048, 4096, IMAGE)).toBe('2');
    expect(workersIn(4096, 8192, IMAGE)).toBe(String(workersFor(4096)));
  });
});
