/** The inputs tag and what it is computed from, without a registry. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelLabels, servingConfig } from '../../../actions/lib/image/config.ts';
import { INPUTS_TAG_PATTERN, inputsTag } from '../../../actions/lib/image/inputs-tag.ts';
import type { ImageInputs } from '../../../actions/lib/image/inputs-tag.ts';
import { ecrRegistry, registryAuth } from '../../../actions/lib/image/registry-auth.ts';
import { SERVING_SOURCES, servingSourceInputs } from '../../../actions/lib/image/serving-sources.ts';
import { emptyLock } from '../../../registry/lock.ts';
import type { Lock } from '../../../registry/lock.ts';
import { run } from '../../fixtures/registry.ts';
import { tempDir } from '../../helpers/temp.ts';

const INPUTS: ImageInputs = {
  base: { digest: `sha256:${'a'.repeat(64)}`, name: 'public.ecr.aws/docker/library/node:24-bookworm-slim' },
  platform: 'linux/amd64',
  bundle: { kind: 'bundle', sha256: 'b'.repeat(64) },
  lockSha256: 'c'.repeat(64),
  source: 'https://github.com/example/models',
};

describe('inputs tag', () => {
  it('is inputs-<16 hex>, the same for the same inputs, and changes with each of them', () => {
    const tag = inputsTag(INPUTS);
    expect(tag).toMatch(INPUTS_TAG_PATTERN);
    expect(inputsTag({ ...INPUTS, base: { ...INPUTS.base } })).toBe(tag);
    const variants: ImageInputs[] = [
      { ...INPUTS, base: { ...INPUTS.base, digest: `sha256:${'d'.repeat(64)}` } },
      { ...INPUTS, base: { digest: INPUTS.base.digest } },
      { ...INPUTS, platform: 'linux/arm64' },
      { ...INPUTS, bundle: { kind: 'bundle', sha256: 'e'.repeat(64) } },
      { ...INPUTS, bundle: { kind: 'sources', trees: { serving: 'f'.repeat(40) } } },
      { ...INPUTS, lockSha256: 'd'.repeat(64) },
      { ...INPUTS, source: undefined },
    ];
    const tags = variants.map(inputsTag);
    expect(new Set([tag, ...tags]).size).toBe(variants.length + 1);
  });

  it('git tree ids: the same after a README-only commit, new after a source change, none with uncommitted changes', async () => {
    const repo = tempDir('mlship-inputs-git-');
    for (const p of SERVING_SOURCES) {
      const file = p.includes('.') ? path.join(repo, p) : path.join(repo, p, 'index.ts');
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `// ${p}\n`);
    }
    await writeFile(path.join(repo, 'README.md'), '# models\n');
    const git = (...args: string[]) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    await git('init', '--quiet');
    await git('add', '.');
    await git('commit', '--quiet', '-m', 'one');
    const first = await servingSourceInputs(repo);
    expect(first?.kind).toBe('sources');
    expect(Object.keys(first?.kind === 'sources' ? first.trees : {}).sort()).toEqual([...SERVING_SOURCES].sort());

    await writeFile(path.join(repo, 'README.md'), '# models, documented\n');
    await git('commit', '--quiet', '-am', 'README only');
    expect(await servingSourceInputs(repo)).toEqual(first);

    await writeFile(path.join(repo, 'serving', 'index.ts'), '// changed\n');
    expect(await servingSourceInputs(repo)).toBeUndefined(); // uncommitted: only the bundle's digest can say
    await git('commit', '--quiet', '-am', 'serving change');
    const changed = await servingSourceInputs(repo);
    expect(changed).not.toEqual(first);
    expect(inputsTag({ ...INPUTS, bundle: changed! })).not.toBe(inputsTag({ ...INPUTS, bundle: first! }));
    expect(await servingSourceInputs(tempDir('mlship-not-git-'))).toBeUndefined();
  });
});

describe('serving config', () => {
  const lock: Lock = {
    ...emptyLock(),
    models: {
      iris: { version: '4f1c2a9e07b3', sha256: 'a'.repeat(64), task: 'classification', metrics: {}, inputs: null, source: { commit: null, spec: 'models/iris/model.yaml' } },
    },
  };

  it('runs the bundle on the baked-in lock and models as uid 1000, with one label per pinned version', () => {
    expect(modelLabels(lock)).toEqual({ 'dev.mlship.model.iris': '4f1c2a9e07b3' });
    expect(servingConfig(lock, { source: 'https://github.com/example/models' })).toEqual({
      entrypoint: [],
      cmd: ['node', '/app/serve.mjs', '--lock', '/app/models.lock.json', '--models-dir', '/app/models'],
      workingDir: '/app',
      exposedPorts: ['8080/tcp'],
      env: { MLSHIP_PORT: '8080', NODE_ENV: 'production' },
      user: '1000:1000',
      labels: { 'dev.mlship.model.iris': '4f1c2a9e07b3' },
      source: 'https://github.com/example/models',
    });
  });
});

describe('registry credentials', () => {
  it('knows ECR hosts by their name', () => {
    expect(ecrRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(ecrRegistry('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com')).toEqual({ account: '123456789012', region: 'us-east-1' });
    expect(ecrRegistry('public.ecr.aws')).toBeUndefined();
    expect(ecrRegistry('127.0.0.1:5000')).toBeUndefined();
  });

  it('sends a user and password to their own host only', async () => {
    const options = { credentials: [{ registry: 'registry.example.com', username: 'u', password: 'p' }], ecrClient: () => { throw new Error('not ECR'); } };
    expect(await registryAuth('registry.example.com', options)('registry.example.com')).toEqual({ username: 'u', password: 'p' });
    expect(await registryAuth('public.ecr.aws', options)('public.ecr.aws')).toBeUndefined();
  });
});
