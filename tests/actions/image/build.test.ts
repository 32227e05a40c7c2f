/**
 * The serving image against a real registry (distribution 2.8): what each kind of change costs.
 * A model-only change sends the model layer and the config only; a rebuild of the same inputs
 * sends nothing; a revert to an earlier lock builds nothing and only adds a tag; skopeo reads
 * the result. Byte counts come from our push report and are checked against the registry's own
 * blob folder.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { appLayerFiles } from '../../../actions/lib/image/app-layer.ts';
import { servingConfig } from '../../../actions/lib/image/config.ts';
import { fetchPinnedArtifacts, modelLayerFiles } from '../../../actions/lib/image/model-layer.ts';
import { modelPath } from '../../../actions/lib/image/paths.ts';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { appendLayers } from '../../../actions/lib/oci/image.ts';
import { buildLayer, layerTar } from '../../../actions/lib/oci/layer.ts';
import { pullImage } from '../../../actions/lib/oci/pull.ts';
import { imageToPush, pushImage } from '../../../actions/lib/oci/push.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import type { RegistryReference } from '../../../actions/lib/oci/reference.ts';
import type { BuildResult } from '../../../actions/lib/image/build.ts';
import { manifestSchema, parseJson } from '../../../actions/lib/oci/manifest.ts';
import { folderBytes, pushBaseImage, requireRegistryTools, skopeoInspect, unpackWithUmoci, useRegistry } from '../../fixtures/registry.ts';
import { tempDir } from '../../helpers/temp.ts';
import { clientFor } from '../oci/helpers.ts';
import { FAKE_CHUNK, buildToRegistry, commitId, fakeBundle, storeFixture } from './helpers.ts';
import type { RegistryBuild, StoreFixture } from './helpers.ts';

describe('serving image: what a change uploads', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry();
  const dir = tempDir('mlship-image-build-');
  let fx: StoreFixture;
  const bundle = fakeBundle();

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await pushBaseImage(reg.get(), 'base/node', '24');
  });

  const build = (over: Partial<RegistryBuild>) =>
    buildToRegistry({ client: clientFor(reg.get()), baseRef: `${reg.get().host}/base/node:24`, repository: 'serving/app', bundle, lock: fx.first, store: fx.store, ...over });
  const lastLayerSize = async (r: BuildResult) => {
    const got = await clientFor(reg.get()).getManifest('serving/app', r.digest);
    const manifest = parseJson(manifestSchema, got.bytes, 'manifest');
    return { model: manifest.layers.at(-1)!.size, config: manifest.config.size, layers: manifest.layers.length };
  };

  let first: BuildResult;

  it('a cold build pushes the base, app and model layers and tags the inputs tag and the commit', async () => {
    const before = await folderBytes(reg.get().blobsDir);
    first = await build({ tags: [commitId(1)] });
    expect(first).toMatchObject({ status: 'built', inputsTag: expect.stringMatching(/^inputs-[0-9a-f]{16}$/), layers: 3, models: { iris: fx.first.lock.models.iris!.version } });
    expect(first.image).toBe(`${reg.get().host}/serving/app@${first.digest}`);
    expect(first.tags).toEqual([{ tag: first.inputsTag, status: 'pushed' }, { tag: commitId(1), status: 'pushed' }]);
    // The base's layer is mounted from base/node (same registry), not sent again.
    expect(first.blobsUploaded).toBe(3); // config, app, models
    expect(first.layersReused).toBe(1);
    const grew = (await folderBytes(reg.get().blobsDir)) - before;
    // The blob folder also holds the manifest (and a link per tag, which are not blobs).
    expect(grew).toBeGreaterThanOrEqual(first.bytesUploaded);
    expect(grew - first.bytesUploaded).toBeLessThan(4096);
  });

  it('skopeo reads the image: command, user, port, env, labels; umoci unpacks the lock and the artifacts', async () => {
    const info = (await skopeoInspect(reg.get(), `serving/app:${first.inputsTag}`)) as { Digest: string; Labels: Record<string, string>; Architecture: string; Os: string; Created?: string; Env: string[] };
    expect(info.Digest).toBe(first.digest);
    expect([info.Os, info.Architecture]).toEqual(['linux', 'amd64']);
    expect(info.Labels).toEqual({
      'org.opencontainers.image.source': 'https://github.com/example/models',
      'dev.mlship.model.iris': fx.first.lock.models.iris!.version,
      'dev.mlship.model.wine': fx.first.lock.models.wine!.version,
      'dev.mlship.model.diabetes': fx.first.lock.models.diabetes!.version,
    });
    expect(info.Env).toEqual(expect.arrayContaining(['MLSHIP_PORT=8080', 'NODE_ENV=production']));
    const client = clientFor(reg.get());
    const configDigest = parseJson(manifestSchema, (await client.getManifest('serving/app', first.digest)).bytes, 'manifest').config.digest;
    const config = JSON.parse((await client.getBlob('serving/app', configDigest)).toString()) as { config: Record<string, unknown>; created?: string; history: { created?: string }[] };
    expect(config.config).toMatchObject({
      Cmd: ['node', '/app/serve.mjs', '--lock', '/app/models.lock.json', '--models-dir', '/app/models'],
      Entrypoint: [],
      WorkingDir: '/app',
      User: '1000:1000',
      ExposedPorts: { '8080/tcp': {} },
    });
    expect(config.created).toBeUndefined();
    expect(config.history.slice(-2)).toEqual([{ created_by: 'mlship: serving bundle' }, { created_by: 'mlship: pinned models and lock' }]);
    expect(JSON.stringify(config)).not.toContain(commitId(1));

    await mkdir(path.join(dir, 'unpack'));
    const rootfs = await unpackWithUmoci(reg.get(), `serving/app:${first.inputsTag}`, path.join(dir, 'unpack'));
    expect(await readFile(path.join(rootfs, 'app/models.lock.json'))).toEqual(fx.first.bytes);
    const iris = fx.first.lock.models.iris!;
    expect((await readFile(path.join(rootfs, modelPath('iris', iris.version)))).equals(await fx.store.get('iris', iris.version, iris.sha256))).toBe(true);
    expect((await readFile(path.join(rootfs, 'app/serve.mjs'))).toString()).toBe('console.log("serve");\n');
    // The bundle's chunks beside the entry, under the names it imports them by.
    expect(await readdir(path.join(rootfs, 'app/serve-chunks'))).toEqual([path.basename(FAKE_CHUNK.path)]);
    expect((await readFile(path.join(rootfs, 'app', FAKE_CHUNK.path))).toString()).toBe(FAKE_CHUNK.text);
  });

  it('a rebuild of the same inputs at another commit builds nothing: found, no blob, one tag added', async () => {
    const before = await folderBytes(reg.get().blobsDir);
    const again = await build({ tags: [commitId(2)] });
    expect(again).toMatchObject({ status: 'found', digest: first.digest, inputsTag: first.inputsTag, bytesUploaded: 0, blobsUploaded: 0, layersReused: 3 });
    expect(again.tags).toEqual([{ tag: commitId(2), status: 'pushed' }]);
    expect(await folderBytes(reg.get().blobsDir)).toBe(before);
  });

  it('a forced rebuild of the same content (another inputs tag) uploads no blob and gives the same digest', async () => {
    // The same bundle bytes named by source ids instead of their digest: a different inputs tag.
    const renamed = { ...bundle, inputs: { kind: 'sources' as const, trees: { serving: 'f'.repeat(40) } } };
    const rebuilt = await build({ bundle: renamed });
    expect(rebuilt.status).toBe('built');
    expect(rebuilt.inputsTag).not.toBe(first.inputsTag);
    expect(rebuilt).toMatchObject({ digest: first.digest, bytesUploaded: 0, blobsUploaded: 0, layersReused: 3 });
  });

  let changed: BuildResult;
  it('a model-only change uploads the model layer and the config, within a few KB of the model layer', async () => {
    const before = await folderBytes(reg.get().blobsDir);
    changed = await build({ lock: fx.modelChange, tags: [commitId(3)], previous: commitId(2) });
    expect(changed.status).toBe('built');
    expect(changed.digest).not.toBe(first.digest);
    const sizes = await lastLayerSize(changed);
    expect(sizes.model).toBeGreaterThan(256 * 1024);
    expect(changed.blobsUploaded).toBe(2);
    expect(changed.layersReused).toBe(2);
    expect(changed.bytesUploaded).toBe(sizes.model + sizes.config);
    expect(changed.bytesUploaded - sizes.model).toBeLessThan(4096);
    expect((await folderBytes(reg.get().blobsDir)) - before - changed.bytesUploaded).toBeLessThan(4096);
    expect(changed.models.iris).toBe(fx.iris2.artifact.version);
  });

  it('a revert to the first lock builds nothing and uploads nothing: the first image gets the commit tag', async () => {
    const before = await folderBytes(reg.get().blobsDir);
    const reverted = await build({ lock: fx.first, tags: [commitId(4)] });
    expect(reverted).toMatchObject({ status: 'found', digest: first.digest, inputsTag: first.inputsTag, bytesUploaded: 0, blobsUploaded: 0 });
    expect(await folderBytes(reg.get().blobsDir)).toBe(before);
    const tagged = (await skopeoInspect(reg.get(), `serving/app:${commitId(4)}`)) as { Digest: string };
    expect(tagged.Digest).toBe(first.digest);
  });

  it('a layer that would compress differently is referenced by its diff_id from the previous image', async () => {
    // An earlier image whose model layer is the same tar gzipped otherwise (another zlib, say):
    // same diff_id, other blob. The build names that blob instead of uploading its own bytes.
    const client = clientFor(reg.get());
    const base = await pullImage(client, parseReference(`${reg.get().host}/base/node:24`) as RegistryReference);
    const artifacts = await fetchPinnedArtifacts(fx.modelChange.lock, fx.store);
    const tar = await layerTar(modelLayerFiles(fx.modelChange.bytes, artifacts));
    const otherGzip = gzipSync(tar, { level: 1 });
    const model = { bytes: otherGzip, digest: sha256Digest(otherGzip), diffId: sha256Digest(tar), size: otherGzip.byteLength };
    const app = await buildLayer(appLayerFiles(await bundle.read()));
    const earlier = appendLayers(base, [{ layer: app, createdBy: 'app' }, { layer: model, createdBy: 'models' }], servingConfig(fx.modelChange.lock));
    await pushImage(client, 'serving/regzip', imageToPush(earlier, base, { registry: reg.get().host }), { tags: ['earlier'] });

    const result = await build({ lock: fx.modelChange, repository: 'serving/regzip', previous: 'earlier' });
    expect(result.status).toBe('built');
    const manifest = parseJson(manifestSchema, (await client.getManifest('serving/regzip', result.digest)).bytes, 'manifest');
    expect(manifest.layers.at(-1)!.digest).toBe(model.digest);
    expect(result.blobsUploaded).toBe(1); // the config: the app layer is there, the model layer is the earlier one
    expect(result.layersReused).toBe(3);
  });
});
