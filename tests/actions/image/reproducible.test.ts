/**
 * The image digest is a function of the base, the serving bundle and the pinned artifacts only:
 * `mlship image build` in two fresh clones, at two commits that differ in the README alone, from
 * different folders, gives the same inputs tag and the same digest, in a registry and in OCI
 * layouts on disk (which skopeo reads). The clones are of HEAD: uncommitted changes are not in them.
 */
import { execFile } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../../../actions/lib/image/build.ts';
import { NODE_24 } from '../../fixtures/node-base.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER, pushBaseImage, requireRegistryTools, run, useRegistry } from '../../fixtures/registry.ts';
import { REPO, tempDir } from '../../helpers/temp.ts';
import { storeFixture } from './helpers.ts';
import type { StoreFixture } from './helpers.ts';

const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd });

/** A clone of this repository's HEAD, with its node_modules linked in. */
async function clone(into: string): Promise<string> {
  await run('git', ['clone', '--quiet', '--shared', REPO, into]);
  await symlink(path.join(REPO, 'node_modules'), path.join(into, 'node_modules'));
  return into;
}

describe('serving image: reproducible across clones and commits', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry();
  const dir = tempDir('mlship-image-repro-');
  let fx: StoreFixture;
  let a: string;
  let b: string;

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await pushBaseImage(reg.get(), 'base/node', '24');
    a = await clone(path.join(dir, 'clone-a'));
    b = await clone(path.join(dir, 'elsewhere', 'clone-b'));
    await writeFile(path.join(b, 'README.md'), '# a README-only change\n', { flag: 'a' });
    await git(b, 'commit', '--quiet', '-am', 'README only');
  }, 120_000);

  const mlship = async (cwd: string, ...args: string[]): Promise<BuildResult> => {
    const creds = { MLSHIP_REGISTRY_USERNAME: REGISTRY_USER, MLSHIP_REGISTRY_PASSWORD: REGISTRY_PASSWORD, MLSHIP_BASE_REGISTRY_USERNAME: REGISTRY_USER, MLSHIP_BASE_REGISTRY_PASSWORD: REGISTRY_PASSWORD };
    const env = { ...process.env, ...creds };
    const { stdout } = await promisify(execFile)(NODE_24, ['cli/main.ts', 'image', 'build', ...args, '--json'], { cwd, env, timeout: 120_000 });
    return JSON.parse(stdout) as BuildResult;
  };
  const build = async (cwd: string, to: string) => {
    const commit = (await git(cwd, 'rev-parse', 'HEAD')).trim();
    return mlship(cwd, '--to', to, '--base', `${reg.get().host}/base/node:24`, '--lock', fx.first.file, '--store', `file://${fx.storeDir}`, '--insecure', '--commit', commit, '--source', 'https://github.com/example/models');
  };

  it('two clones at a README-only change give the same inputs tag and digest, each building its own', async () => {
    expect((await git(a, 'rev-parse', 'HEAD')).trim()).not.toBe((await git(b, 'rev-parse', 'HEAD')).trim());
    const fromA = await build(a, `${reg.get().host}/serving/repro-a`);
    const fromB = await build(b, `${reg.get().host}/serving/repro-b`);
    expect(fromA.status).toBe('built');
    expect(fromB.status).toBe('built');
    expect(fromA.inputs.bundle.kind).toBe('sources');
    expect(fromB.inputsTag).toBe(fromA.inputsTag);
    expect(fromB.digest).toBe(fromA.digest);

    const layoutA = await build(a, `oci:${path.join(dir, 'layout-a')}`);
    const layoutB = await build(b, `oci:${path.join(dir, 'elsewhere', 'layout-b')}`);
    expect([layoutA.status, layoutB.status]).toEqual(['built', 'built']);
    expect(layoutA.digest).toBe(fromA.digest);
    expect(layoutB.digest).toBe(fromA.digest);
    expect(layoutB.image).toBe(`oci:${path.join(dir, 'elsewhere', 'layout-b')}@${fromA.digest}`);
    const info = JSON.parse(await run('skopeo', ['inspect', `oci:${path.join(dir, 'elsewhere', 'layout-b')}:${layoutB.inputsTag}`])) as { Digest: string; Labels: Record<string, string> };
    expect(info.Digest).toBe(fromA.digest);
    expect(info.Labels['dev.mlship.model.iris']).toBe(fx.first.lock.models.iris!.version);

    // Again in the layout, at the other commit: found by the inputs tag, nothing written.
    const again = await build(a, `oci:${path.join(dir, 'layout-a')}`);
    expect(again).toMatchObject({ status: 'found', digest: fromA.digest, bytesUploaded: 0 });
  });
});
