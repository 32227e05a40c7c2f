// The two entry points run as the CDK CLI and `npm run infra:synth` run them: in a child process,
// without AWS credentials.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../infra/config.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

// No AWS_* variables and no home directory with credentials: synthesis must not need them.
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  }
  return { ...env, HOME: mkdtempSync(join(tmpdir(), 'mlship-home-')), AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, env: NodeJS.ProcessEnv, cwd = ROOT): Promise<RunResult> {
  return new Promise((done) => {
    execFile(process.execPath, [script], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      done({ status, stdout, stderr });
    });
  });
}

const appEnv = (context: Record<string, string>) => {
  const outdir = mkdtempSync(join(tmpdir(), 'mlship-cdkout-'));
  return { outdir, env: offlineEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'mlship:config': EXAMPLE_CONFIG_FILE, ...context }) }) };
};
const cases = {
  noImage: appEnv({}),
  placeholder: appEnv({ 'mlship:service.image': 'placeholder' }),
  tagImage: appEnv({ 'mlship:service.image': '123456789012.dkr.ecr.us-east-1.amazonaws.com/mlship-serving:latest' }),
};
const results = {} as Record<keyof typeof cases | 'synth', RunResult>;

// The child processes take a few seconds each: run them all at once. (That the image passed by
// context lands in the task definition is checked in-process by variants.test.ts.)
beforeAll(async () => {
  const runs = Object.entries(cases).map(async ([name, c]) => {
    results[name as keyof typeof cases] = await run('app.ts', c.env, join(ROOT, 'infra'));
  });
  runs.push(
    run('infra/synth.ts', offlineEnv()).then((r) => {
      results.synth = r;
    }),
  );
  await Promise.all(runs);
});

describe('infra/app.ts (the CDK CLI entry point)', () => {
  it('refuses to synthesize without being told which image runs', () => {
    const r = results.noImage;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Missing context mlship:service.image');
    expect(r.stderr).toContain('-c mlship:service.image=placeholder');
    expect(existsSync(join(cases.noImage.outdir, 'Mlship.template.json'))).toBe(false);
  });

  it('synthesizes the first deploy with the placeholder image', () => {
    const r = results.placeholder;
    expect(r.status, r.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(cases.placeholder.outdir, 'Mlship.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { ContainerDefinitions?: { Image: string }[] } }>;
    };
    const td = Object.values(template.Resources).find((res) => res.Type === 'AWS::ECS::TaskDefinition');
    expect(td?.Properties.ContainerDefinitions?.[0]?.Image).toMatch(/^public\.ecr\.aws\/docker\/library\/busybox@sha256:[0-9a-f]{64}$/);
  });

  it('rejects an image that is not pinned by digest, naming the field', () => {
    const r = results.tagImage;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/- service\.image: must be 'placeholder' or an image pinned by digest/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });
});

describe('npm run infra:synth (infra/synth.ts)', () => {
  it('writes the template into infra/cdk.out offline and prints its path', () => {
    const r = results.synth;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Mlship \(\d{12}\/[a-z0-9-]+\): infra\/cdk\.out\/Mlship\.template\.json/);
    const template = JSON.parse(readFileSync(join(ROOT, 'infra', 'cdk.out', 'Mlship.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((res) => res.Type === 'AWS::ECS::Service')).toHaveLength(1);
  });
});
