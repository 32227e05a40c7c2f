/** OCI image layouts: a umoci base read, our layout read by skopeo and umoci, writes that a crash cannot half-do. */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestHex } from '../../../actions/lib/oci/digest.ts';
import { readLayout, writeLayout } from '../../../actions/lib/oci/layout.ts';
import { pullImage } from '../../../actions/lib/oci/pull.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import type { RegistryReference } from '../../../actions/lib/oci/reference.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER, buildBaseLayout, requireRegistryTools, run, skopeoInspect, useRegistry } from '../../fixtures/registry.ts';
import { rejected } from '../../helpers/errors.ts';
import { tempDir } from '../../helpers/temp.ts';
import { clientFor, servingImage } from './helpers.ts';

describe('OCI image layout', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry();
  const work = tempDir('mlship-layout-');

  it('builds on a umoci layout and writes one that skopeo and umoci read', async () => {
    const baseDir = path.join(work, 'base');
    await buildBaseLayout(baseDir);
    const base = await readLayout(baseDir, { tag: '1' });
    expect(base.name).toBe(`oci:${baseDir}:1`);
    const out = path.join(work, 'out');
    const image = await servingImage(base, { host: 'nowhere' });
    const written = await writeLayout(out, image, { tag: 'serving' });
    expect(written.blobsWritten).toBe(5); // base layer, app, models, config, manifest

    const inspected = JSON.parse(await run('skopeo', ['inspect', `oci:${out}:serving`])) as { Digest: string; Labels: Record<string, string> };
    expect(inspected.Digest).toBe(image.manifest.digest);
    await run('umoci', ['unpack', '--rootless', '--image', `${out}:serving`, path.join(work, 'bundle')]);
    expect(await readFile(path.join(work, 'bundle/rootfs/models/iris/1/model.json'), 'utf8')).toContain('iris');

    // And skopeo pushes it on: the layout is a complete image.
    await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `${REGISTRY_USER}:${REGISTRY_PASSWORD}`, `oci:${out}:serving`, `docker://${reg.get().host}/from/layout:1`]);
    expect(((await skopeoInspect(reg.get(), 'from/layout:1')) as { Digest: string }).Digest).toBe(image.manifest.digest);
    const pulled = await pullImage(clientFor(reg.get()), parseReference(`${reg.get().host}/from/layout:1`) as RegistryReference);
    expect(pulled.digest).toBe(image.manifest.digest);
  });

  it('keeps other tags, moves the one written, and leaves no temporary files', async () => {
    const out = path.join(work, 'out');
    const base = await readLayout(path.join(work, 'base'), { tag: '1' });
    const v2 = await servingImage(base, { host: 'nowhere' }, '2');
    const { blobsWritten } = await writeLayout(out, v2, { tag: 'v2' });
    expect(blobsWritten).toBe(3); // models layer, config, manifest: the rest is there
    await writeLayout(out, v2, { tag: 'serving' });
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'], m.digest])).toEqual([
      ['v2', v2.manifest.digest],
      ['serving', v2.manifest.digest],
    ]);
    const all = await readdir(out, { recursive: true });
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await readLayout(out, { tag: 'serving' })).digest).toBe(v2.manifest.digest);
    expect(await rejected(readLayout(out))).toMatch(/holds 2 images: name one with oci:DIR:tag \(tags: v2, serving\)/);
    expect(await rejected(readLayout(out, { tag: 'nope' }))).toMatch(/no image tagged "nope"/);
  });

  it('a write that fails midway leaves the old index as it was', async () => {
    const out = path.join(work, 'out');
    const before = await readFile(path.join(out, 'index.json'));
    const base = await readLayout(path.join(work, 'base'), { tag: '1' });
    const v3 = await servingImage(base, { host: 'nowhere' }, '3');
    const failing = { ...v3, blobs: [...v3.blobs, { descriptor: { mediaType: 'x', digest: `sha256:${'0'.repeat(64)}`, size: 1 }, read: async () => Promise.reject(new Error('disk gone')) }] };
    expect(await rejected(writeLayout(out, failing, { tag: 'serving' }))).toBe('disk gone');
    expect((await readFile(path.join(out, 'index.json'))).equals(before)).toBe(true);
  });

  it('refuses a damaged blob, naming it', async () => {
    const dir = path.join(work, 'damaged');
    await buildBaseLayout(dir);
    const base = await readLayout(dir, { tag: '1' });
    await writeFile(path.join(dir, 'blobs/sha256', digestHex(base.manifest.config.digest)), '{}');
    expect(await rejected(readLayout(dir, { tag: '1' }))).toMatch(new RegExp(`blob ${base.manifest.config.digest} has digest sha256:[a-f0-9]{64}: the layout is damaged`));
  });
});
