/**
 * Build and push against a real registry (CNCF distribution), with a base image pushed by
 * umoci + skopeo and results read back by skopeo and umoci: independent clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicAuth } from '../../../actions/lib/oci/auth.ts';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { layersByDiffId } from '../../../actions/lib/oci/image.ts';
import { imageConfigSchema, parseJson } from '../../../actions/lib/oci/manifest.ts';
import { pullImage } from '../../../actions/lib/oci/pull.ts';
import { lookupTag, pushImage } from '../../../actions/lib/oci/push.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import type { RegistryReference } from '../../../actions/lib/oci/reference.ts';
import { folderBytes, pushBaseImage, requireRegistryTools, skopeoInspect, unpackWithUmoci, useRegistry } from '../../fixtures/registry.ts';
import { rejected } from '../../helpers/errors.ts';
import { tempDir } from '../../helpers/temp.ts';
import { clientFor, servingImage } from './helpers.ts';

const ref = (host: string, name: string) => parseReference(`${host}/${name}`) as RegistryReference;

describe('OCI push to a real registry', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry();
  const work = tempDir('mlship-oci-');

  it('appends layers to an OCI base; skopeo and umoci read the result', async () => {
    const registry = reg.get();
    await pushBaseImage(registry, 'base/node', '1');
    const client = clientFor(registry);
    const base = await pullImage(client, ref(registry.host, 'base/node:1'));
    expect(base.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const image = await servingImage(base, registry);
    const report = await pushImage(client, 'serving/app', image, { tags: ['v1', 'inputs-abc'] });
    expect(report.tags).toEqual([{ tag: 'v1', status: 'pushed' }, { tag: 'inputs-abc', status: 'pushed' }]);
    // The base layer was mounted from base/node (same registry): 2 new layers + config uploaded.
    expect(report).toMatchObject({ blobsUploaded: 3, blobsMounted: 1, blobsReused: 0 });

    const raw = (await skopeoInspect(registry, 'serving/app:v1', true)) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] };
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(raw.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    const info = (await skopeoInspect(registry, 'serving/app:v1')) as { Digest: string; Labels: Record<string, string>; Env: string[]; Layers: string[] };
    expect(info.Digest).toBe(report.digest);
    expect(info.Labels).toEqual({ 'org.opencontainers.image.source': 'https://github.com/example/models', 'org.opencontainers.image.title': 'mlship serving' });
    expect(info.Env).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'MLSHIP_LOCK=/app/models.lock.json', 'NODE_ENV=production']);

    const config = parseJson(imageConfigSchema, await client.getBlob('serving/app', image.built.config.descriptor.digest), 'config');
    expect(config.config).toMatchObject({ User: '65532:65532', Cmd: ['/app/bin/start'], WorkingDir: '/app', ExposedPorts: { '8080/tcp': {} } });
    expect(config.created).toBeUndefined();
    expect(config.history!.slice(-2)).toEqual([{ created_by: 'mlship: serving bundle' }, { created_by: 'mlship: models' }]);

    const rootfs = await unpackWithUmoci(registry, 'serving/app:v1', await mkdtemp(path.join(work, 'unpack-')));
    expect(await readFile(path.join(rootfs, 'app/server.js'), 'utf8')).toContain('node:http');
    expect((await stat(path.join(rootfs, 'app/bin/start'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(rootfs, 'app/server.js'))).mode & 0o777).toBe(0o644);
    expect(JSON.parse(await readFile(path.join(rootfs, 'models/iris/1/model.json'), 'utf8'))).toEqual({ name: 'iris', version: '1' });
    expect(await readFile(path.join(rootfs, 'etc/os-release'), 'utf8')).toBe('ID=mlship-test\n');

    // Owners are 0:0 in the layer as stored (a rootless unpack maps them to this user).
    const layerFile = path.join(work, 'app.tar.gz');
    await writeFile(layerFile, await client.getBlob('serving/app', image.built.layers[1]!.digest));
    const listing = execFileSync('tar', ['-tvzf', layerFile, '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.every((line) => line.includes(' 0/0 '))).toBe(true);
  });

  it('a second push of the same image uploads nothing; a model change uploads only its layer and the config', async () => {
    const registry = reg.get();
    const client = clientFor(registry);
    const base = await pullImage(client, ref(registry.host, 'base/node:1'));
    const image = await servingImage(base, registry);
    const before = await folderBytes(registry.blobsDir);
    const again = await pushImage(client, 'serving/app', image, { tags: ['v1'] });
    expect(again).toMatchObject({ bytesUploaded: 0, blobsUploaded: 0, blobsMounted: 0, blobsReused: 4 });
    expect(await folderBytes(registry.blobsDir)).toBe(before);

    // Same inputs built again: the same manifest digest.
    expect((await servingImage(base, registry)).manifest.digest).toBe(image.manifest.digest);

    const changed = await servingImage(base, registry, '2');
    const report = await pushImage(client, 'serving/app', changed, { tags: ['v2'] });
    const modelLayer = changed.built.layers[2]!;
    expect(report).toMatchObject({ blobsUploaded: 2, blobsReused: 2, bytesUploaded: modelLayer.size + changed.built.config.descriptor.size });
    // The registry's blob store grew by exactly those blobs and the manifest.
    expect(await folderBytes(registry.blobsDir)).toBe(before + report.bytesUploaded + changed.manifest.bytes.byteLength);
  });

  it('reuses an earlier blob by diff_id, so a different compressor output is not uploaded', async () => {
    const registry = reg.get();
    const client = clientFor(registry);
    const base = await pullImage(client, ref(registry.host, 'base/node:1'));
    const previous = await pullImage(client, ref(registry.host, 'serving/app:v1'));
    const known = layersByDiffId(previous.manifest, previous.config);
    const image = await servingImage(base, registry, '1', known);
    expect(image.built.appended.map((a) => a.reused)).toEqual([true, true]);
    expect(image.manifest.digest).toBe(previous.digest);
    const report = await pushImage(client, 'serving/app', image, { tags: ['v1'] });
    expect(report.blobsUploaded).toBe(0);
  });

  it('keeps a Docker v2 base in the Docker media types, which skopeo copies', async () => {
    const registry = reg.get();
    await pushBaseImage(registry, 'base/docker', '1', { format: 'v2s2' });
    const client = clientFor(registry);
    const base = await pullImage(client, ref(registry.host, 'base/docker:1'));
    expect(base.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const image = await servingImage(base, registry);
    await pushImage(client, 'serving/docker', image, { tags: ['v1'] });
    const raw = (await skopeoInspect(registry, 'serving/docker:v1', true)) as { mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] };
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(raw.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(new Set(raw.layers.map((l) => l.mediaType))).toEqual(new Set(['application/vnd.docker.image.rootfs.diff.tar.gzip']));
    const rootfs = await unpackWithUmoci(registry, 'serving/docker:v1', await mkdtemp(path.join(work, 'unpack-')));
    expect(await readFile(path.join(rootfs, 'app/server.js'), 'utf8')).toContain('node:http');
  });

  it('chooses the platform from an index, passing over an attestation entry', async () => {
    const registry = reg.get();
    const client = clientFor(registry);
    await pushBaseImage(registry, 'multi/amd64', '1');
    await pushBaseImage(registry, 'multi/arm64', '1', { arch: 'arm64', files: { 'etc/arch': 'arm64\n' } });
    const amd = await pullImage(client, ref(registry.host, 'multi/amd64:1'));
    const arm = await pullImage(client, ref(registry.host, 'multi/arm64:1'), { platform: 'linux/arm64' });
    // Gather both images in one repository, then put an index over them.
    for (const [image, tag] of [[amd, 'amd64'], [arm, 'arm64']] as const) {
      for (const d of [image.manifest.config, ...image.manifest.layers]) await client.uploadBlob('multi/node', d.digest, await image.readBlob(d.digest));
      await client.putManifest('multi/node', tag, image.manifestBytes, image.mediaType);
    }
    const entry = (image: typeof amd, platform: object, annotations?: Record<string, string>) => ({ mediaType: image.mediaType, digest: image.digest, size: image.manifestBytes.byteLength, platform, ...(annotations ? { annotations } : {}) });
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        entry(amd, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest }),
        entry(arm, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        entry(amd, { os: 'linux', architecture: 'amd64' }),
      ],
    }));
    await client.putManifest('multi/node', '24', index, 'application/vnd.oci.image.index.v1+json');
    expect((await pullImage(client, ref(registry.host, 'multi/node:24'))).digest).toBe(amd.digest);
    const chosen = await pullImage(client, ref(registry.host, 'multi/node:24'), { platform: 'linux/arm64' });
    expect([chosen.digest, chosen.config.architecture]).toEqual([arm.digest, 'arm64']);
    expect(await rejected(pullImage(client, ref(registry.host, 'multi/node:24'), { platform: 'linux/s390x' }))).toBe('the image index has no linux/s390x image (it has: linux/arm64/v8, linux/amd64)');
    expect(await rejected(pullImage(client, ref(registry.host, 'multi/arm64:1')))).toMatch(/is for linux\/arm64, not linux\/amd64/);
  });

  it('uploads a large blob in chunks (PATCH with Content-Range) and reads it back', async () => {
    const registry = reg.get();
    const client = clientFor(registry, { chunkedThreshold: 1024, chunkSize: 1000 });
    const bytes = Buffer.alloc(4500, 7);
    const digest = sha256Digest(bytes);
    expect(await client.uploadBlob('chunked/blob', digest, bytes)).toEqual({ bytesSent: 4500 });
    expect(await client.blobSize('chunked/blob', digest)).toBe(4500);
    expect((await client.getBlob('chunked/blob', digest)).equals(bytes)).toBe(true);
  });

  it('looks tags up: a digest for a tag that exists, undefined for one that does not', async () => {
    const registry = reg.get();
    const client = clientFor(registry);
    const info = (await skopeoInspect(registry, 'serving/app:v1')) as { Digest: string };
    expect(await lookupTag(client, ref(registry.host, 'serving/app:inputs-abc'))).toBe(info.Digest);
    expect(await lookupTag(client, ref(registry.host, 'serving/app:inputs-nope'))).toBeUndefined();
    expect(await lookupTag(client, ref(registry.host, 'never/pushed:x'))).toBeUndefined();
  });

  it('says which registry, repository and status when credentials are wrong', async () => {
    const registry = reg.get();
    const client = clientFor(registry, { auth: basicAuth('ci', 'wrong') });
    const message = await rejected(client.getManifest('base/node', '1'));
    expect(message).toContain(`registry ${registry.host}`);
    expect(message).toContain('repository base/node');
    expect(message).toContain('HTTP 401');
    expect(message).toContain('UNAUTHORIZED');
  });

  it('a blob read is checked against its digest', async () => {
    const registry = reg.get();
    const message = await rejected(clientFor(registry).getBlob('base/node', sha256Digest('not there')));
    expect(message).toMatch(/no such blob.*HTTP 404.*BLOB_UNKNOWN/);
  });
});

