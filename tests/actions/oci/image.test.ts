/** Appending layers as pure data, platform choice and references. */
import { describe, expect, it } from 'vitest';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { appendLayers, mergeEnv } from '../../../actions/lib/oci/image.ts';
import type { BaseImage, LayerToAppend } from '../../../actions/lib/oci/image.ts';
import { buildLayer } from '../../../actions/lib/oci/layer.ts';
import { MediaType } from '../../../actions/lib/oci/manifest.ts';
import type { Index } from '../../../actions/lib/oci/manifest.ts';
import { selectPlatform } from '../../../actions/lib/oci/platform.ts';
import { formatReference, parseReference } from '../../../actions/lib/oci/reference.ts';
import { thrown } from '../../helpers/errors.ts';
import { APP_FILES, CHANGES } from './helpers.ts';

const d = (s: string) => sha256Digest(s);

function base(family: 'oci' | 'docker'): BaseImage {
  const layer = family === 'oci' ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip;
  return {
    mediaType: family === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest,
    manifest: { schemaVersion: 2, config: { mediaType: family === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig, digest: d('c'), size: 1 }, layers: [{ mediaType: layer, digest: d('l1'), size: 10 }] },
    config: {
      created: '2024-01-02T03:04:05Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin', 'NODE_ENV=development'], User: 'root', Labels: { maintainer: 'base' } },
      rootfs: { type: 'layers', diff_ids: [d('u1')] },
      history: [{ created: '2024-01-02T03:04:05Z', created_by: 'base' }],
    },
    digest: d('base-manifest'),
    name: 'docker.io/library/node:24',
  };
}

async function layers(): Promise<LayerToAppend[]> {
  return [{ layer: await buildLayer(APP_FILES), createdBy: 'mlship: app' }];
}

describe('appendLayers', () => {
  it('writes config and manifest in the OCI family with base annotations and no created time', async () => {
    const built = appendLayers(base('oci'), await layers(), CHANGES);
    const manifest = JSON.parse(built.manifest.bytes.toString());
    expect(manifest.mediaType).toBe(MediaType.ociManifest);
    expect(manifest.config.mediaType).toBe(MediaType.ociConfig);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([MediaType.ociLayerGzip, MediaType.ociLayerGzip]);
    expect(manifest.annotations).toEqual({ 'org.opencontainers.image.base.digest': d('base-manifest'), 'org.opencontainers.image.base.name': 'docker.io/library/node:24' });
    expect(built.manifest.digest).toBe(sha256Digest(built.manifest.bytes));
    const config = JSON.parse(built.config.bytes.toString());
    expect(config.created).toBeUndefined();
    expect(config.history).toEqual([{ created: '2024-01-02T03:04:05Z', created_by: 'base' }, { created_by: 'mlship: app' }]);
    expect(config.rootfs.diff_ids).toHaveLength(2);
    expect(config.config.Env).toEqual(['PATH=/usr/bin', 'NODE_ENV=production', 'MLSHIP_LOCK=/app/models.lock.json']);
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Labels).toEqual({ maintainer: 'base', 'org.opencontainers.image.source': 'https://github.com/example/models', 'org.opencontainers.image.title': 'mlship serving' });
    expect(JSON.stringify(config)).not.toMatch(/20\d\d-\d\d-\d\dT(?!03:04:05)/);
  });

  it('keeps the Docker family for a Docker v2 base (no annotations: schema 2 has none)', async () => {
    const built = appendLayers(base('docker'), await layers(), CHANGES);
    const manifest = JSON.parse(built.manifest.bytes.toString());
    expect([manifest.mediaType, manifest.config.mediaType, manifest.layers[1].mediaType]).toEqual([MediaType.dockerManifest, MediaType.dockerConfig, MediaType.dockerLayerGzip]);
    expect(manifest.annotations).toBeUndefined();
  });

  it('is a function of its inputs: same inputs, same digest; another label, another digest', async () => {
    const a = appendLayers(base('oci'), await layers(), CHANGES);
    const b = appendLayers(base('oci'), await layers(), { ...CHANGES, labels: { ...CHANGES.labels } });
    const c = appendLayers(base('oci'), await layers(), { ...CHANGES, labels: { x: 'y' } });
    expect(b.manifest.digest).toBe(a.manifest.digest);
    expect(c.manifest.digest).not.toBe(a.manifest.digest);
  });

  it('reuses a known blob by diff_id (its digest and size, in the base family)', async () => {
    const appended = await layers();
    const known = new Map([[appended[0]!.layer.diffId, { digest: d('earlier blob'), size: 99, mediaType: MediaType.ociLayerGzip }]]);
    const built = appendLayers(base('docker'), appended, CHANGES, { knownLayers: known });
    expect(built.appended).toEqual([{ descriptor: { mediaType: MediaType.dockerLayerGzip, digest: d('earlier blob'), size: 99 }, reused: true }]);
  });

  it('refuses to run as root and a base whose layers and diff_ids disagree', async () => {
    expect(thrown(() => appendLayers(base('oci'), [], { cmd: ['x'] }))).toMatch(/would run as root \(User "root"\)/);
    expect(thrown(() => appendLayers(base('oci'), [], { user: '0:0' }))).toMatch(/would run as root/);
    const broken = base('oci');
    broken.config.rootfs.diff_ids.push(d('extra'));
    expect(thrown(() => appendLayers(broken, [], CHANGES))).toMatch(/1 layers but its config lists 2 diff_ids/);
    expect(thrown(() => appendLayers(base('oci'), [], { ...CHANGES, exposedPorts: ['http'] }))).toMatch(/exposed port "http"/);
  });

  it('merges environment variables in place, new ones sorted after', () => {
    expect(mergeEnv(['A=1', 'B=2'], { C: '3', A: '9', B0: 'x' })).toEqual(['A=9', 'B=2', 'B0=x', 'C=3']);
    expect(thrown(() => mergeEnv([], { 'BAD-NAME': 'x' }))).toMatch(/not valid/);
  });
});

describe('platform choice', () => {
  const entry = (digest: string, platform: { os: string; architecture: string; variant?: string }, annotations?: Record<string, string>) => ({ mediaType: MediaType.ociManifest, digest: d(digest), size: 1, platform, ...(annotations ? { annotations } : {}) });
  const index: Index = {
    schemaVersion: 2,
    manifests: [
      entry('att', { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d('amd') }),
      entry('amd', { os: 'linux', architecture: 'amd64' }),
      entry('arm', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      entry('arm7', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    ],
  };
  it('picks linux/amd64 by default and arm64 on request, never an attestation', () => {
    expect(selectPlatform(index).digest).toBe(d('amd'));
    expect(selectPlatform(index, 'linux/arm64').digest).toBe(d('arm'));
    expect(selectPlatform(index, 'linux/arm64/v8').digest).toBe(d('arm'));
    expect(selectPlatform(index, 'linux/arm/v7').digest).toBe(d('arm7'));
    expect(thrown(() => selectPlatform(index, 'windows/amd64'))).toBe('the image index has no windows/amd64 image (it has: linux/amd64, linux/arm64/v8, linux/arm/v7)');
    expect(thrown(() => selectPlatform({ schemaVersion: 2, manifests: [index.manifests[0]!] }, 'unknown/unknown'))).toMatch(/has: none/);
    expect(thrown(() => selectPlatform(index, 'linux'))).toMatch(/not os\/architecture/);
  });
});

describe('references', () => {
  it('parses registry references, Docker Hub short forms and layouts', () => {
    expect(parseReference('node:24-slim')).toEqual({ kind: 'registry', registry: 'docker.io', repository: 'library/node', tag: '24-slim' });
    expect(parseReference('127.0.0.1:5000/base/node')).toEqual({ kind: 'registry', registry: '127.0.0.1:5000', repository: 'base/node', tag: 'latest' });
    const pinned = parseReference(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlship/serving:v1@${d('m')}`);
    expect(pinned).toEqual({ kind: 'registry', registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'mlship/serving', tag: 'v1', digest: d('m') });
    expect(formatReference(pinned)).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlship/serving:v1@${d('m')}`);
    expect(parseReference('localhost:5000/x@' + d('m'))).toEqual({ kind: 'registry', registry: 'localhost:5000', repository: 'x', digest: d('m') });
    expect(parseReference('oci:/tmp/out:serving')).toEqual({ kind: 'layout', dir: '/tmp/out', tag: 'serving' });
    expect(parseReference('oci:build/image')).toEqual({ kind: 'layout', dir: 'build/image' });
  });

  it('refuses what registries would refuse, saying why', () => {
    expect(thrown(() => parseReference('Base/Node:1'))).toMatch(/repository part "Base"/);
    expect(thrown(() => parseReference('r.io/x:-bad'))).toMatch(/tag "-bad"/);
    expect(thrown(() => parseReference('r.io/x@sha256:123'))).toMatch(/not sha256:<64 hex digits>/);
    expect(thrown(() => parseReference('oci:'))).toMatch(/no folder/);
  });
});
