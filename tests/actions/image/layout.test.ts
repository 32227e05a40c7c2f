/**
 * A build with no registry at all: the base read from an OCI layout (`oci:DIR`), the image written
 * to another (`--to oci:DIR`), read back by umoci; the platform chosen by flag (an arm64 base),
 * and a base of the wrong platform refused before anything is written.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBase } from '../../../actions/lib/image/base.ts';
import { buildServingImage } from '../../../actions/lib/image/build.ts';
import { layoutTarget } from '../../../actions/lib/image/target.ts';
import { ImageError } from '../../../actions/lib/oci/errors.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import { buildBaseLayout, requireRegistryTools, run } from '../../fixtures/registry.ts';
import { tempDir } from '../../helpers/temp.ts';
import { commitId, fakeBundle, storeFixture } from './helpers.ts';
import type { StoreFixture } from './helpers.ts';

describe('serving image in OCI layouts', () => {
  if (!requireRegistryTools()) return;
  const dir = tempDir('mlship-image-layout-');
  let fx: StoreFixture;
  const baseDir = path.join(dir, 'base');

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await buildBaseLayout(baseDir, { arch: 'arm64' });
  });

  const build = async (platform: string, to: string, tags: string[] = []) => {
    const base = await openBase(parseReference(`oci:${baseDir}:1`), { platform, clientFor: () => { throw new Error('no registry'); } });
    return buildServingImage({ base, platform, target: layoutTarget(to), bundle: fakeBundle(), lock: fx.first, store: fx.store, tags });
  };

  it('builds for linux/arm64 from a layout base into a layout umoci unpacks; found the second time', async () => {
    const to = path.join(dir, 'out');
    const built = await build('linux/arm64', to, [commitId(1)]);
    expect(built).toMatchObject({ status: 'built', image: `oci:${to}@${built.digest}`, layers: 3, layersReused: 0 });
    expect(built.inputs.base.name).toBeUndefined(); // a local folder is not recorded in the image
    const index = JSON.parse(await readFile(path.join(to, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'], m.digest])).toEqual([
      [built.inputsTag, built.digest],
      [commitId(1), built.digest],
    ]);
    await mkdir(path.join(dir, 'unpacked'));
    await run('umoci', ['unpack', '--rootless', '--image', `${to}:${built.inputsTag}`, path.join(dir, 'unpacked', 'b')]);
    expect(await readFile(path.join(dir, 'unpacked', 'b', 'rootfs', 'app', 'models.lock.json'))).toEqual(fx.first.bytes);
    const config = JSON.parse(await readFile(path.join(dir, 'unpacked', 'b', 'config.json'), 'utf8')) as { process: { user: { uid: number; gid: number }; args: string[]; cwd: string } };
    expect(config.process).toMatchObject({ user: { uid: 1000, gid: 1000 }, args: ['node', '/app/serve.mjs', '--lock', '/app/models.lock.json', '--models-dir', '/app/models'], cwd: '/app' });

    const again = await build('linux/arm64', to, [commitId(2)]);
    expect(again).toMatchObject({ status: 'found', digest: built.digest, bytesUploaded: 0, blobsUploaded: 0 });
    // Same inputs, other platform: another tag (and this base has no amd64 image).
    const err = await build('linux/amd64', path.join(dir, 'other')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toContain('is for linux/arm64, not linux/amd64');
  });
});
