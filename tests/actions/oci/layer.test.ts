/** Reproducible layers: the same files give the same bytes, whatever the order, folder or clock. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it, vi } from 'vitest';
import { sha256Digest } from '../../../actions/lib/oci/digest.ts';
import { buildLayer, layerEntries, layerTar } from '../../../actions/lib/oci/layer.ts';
import type { LayerFile } from '../../../actions/lib/oci/layer.ts';
import { thrown } from '../../helpers/errors.ts';

const files: LayerFile[] = [
  { path: '/app/server.js', bytes: Buffer.from('console.log("hi")\n') },
  { path: 'app/bin/start', bytes: Buffer.from('#!/bin/sh\nexec node /app/server.js\n'), mode: 0o700 },
  { path: '/models/iris/1/model.json', bytes: Buffer.from('{"name":"iris"}') },
];

async function entries(tar: Buffer) {
  const out: { name: string; type: string; mode: number; uid: number; gid: number; uname: string; gname: string; mtime: number; size: number }[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      out.push({ name: h.name, type: h.type ?? '', mode: h.mode ?? 0, uid: h.uid ?? -1, gid: h.gid ?? -1, uname: h.uname ?? '', gname: h.gname ?? '', mtime: h.mtime?.getTime() ?? 0, size: h.size ?? 0 });
      stream.on('end', next);
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return out;
}

describe('reproducible layer', () => {
  it('sorts entries, writes every parent directory, fixes owners, modes and mtime', async () => {
    const got = await entries(await layerTar(files));
    expect(got.map((e) => `${e.type} ${e.name} ${e.mode.toString(8)}`)).toEqual([
      'directory app/ 755',
      'directory app/bin/ 755',
      'file app/bin/start 755',
      'file app/server.js 644',
      'directory models/ 755',
      'directory models/iris/ 755',
      'directory models/iris/1/ 755',
      'file models/iris/1/model.json 644',
    ]);
    for (const e of got) {
      expect([e.uid, e.gid, e.uname, e.gname]).toEqual([0, 0, '', '']);
      expect(new Date(e.mtime).toISOString()).toBe('1970-01-01T00:00:01.000Z');
    }
  });

  it('gives the same digest and diff_id for the same files in another order, folder and time', async () => {
    const first = await buildLayer(files);
    vi.useFakeTimers({ now: new Date('2031-05-06T07:08:09Z'), toFake: ['Date'] });
    const cwd = process.cwd();
    process.chdir(mkdtempSync(path.join(tmpdir(), 'mlship-layer-')));
    try {
      const second = await buildLayer([...files].reverse());
      expect(second.digest).toBe(first.digest);
      expect(second.diffId).toBe(first.diffId);
    } finally {
      process.chdir(cwd);
      vi.useRealTimers();
    }
    expect(first.digest).toBe(sha256Digest(first.bytes));
    expect(first.diffId).toBe(sha256Digest(gunzipSync(first.bytes)));
    expect(first.size).toBe(first.bytes.byteLength);
    expect(first.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
  });

  it('writes a fixed gzip header: no mtime, OS "unknown"', async () => {
    const { bytes } = await buildLayer(files);
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it('pins the digests for this Node/zlib (a change here means a different blob for the same files)', async () => {
    const layer = await buildLayer(files);
    // The diff_id depends on the tar bytes only: the same everywhere.
    expect(layer.diffId).toMatchInlineSnapshot(`"sha256:fbf16273b2beb09db36ceb45b6fc3a1f8abfcf79681123a61d2a9affe3c5e6ee"`);
    expect({ node: process.versions.node, zlib: process.versions.zlib, digest: layer.digest }).toMatchInlineSnapshot(`
      {
        "digest": "sha256:d916e1680458e6b14df1f95c964538bc6bb6804da0f3251170419a631332bbc4",
        "node": "24.21.0",
        "zlib": "1.3.2.1-motley-8002e91",
      }
    `);
  });

  it('is read by GNU tar with the same names, owners and modes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlship-layer-'));
    writeFileSync(path.join(dir, 'l.tar.gz'), (await buildLayer(files)).bytes);
    const listing = execFileSync('tar', ['-tvzf', path.join(dir, 'l.tar.gz'), '--numeric-owner'], { encoding: 'utf8' });
    expect(listing).toContain('-rwxr-xr-x 0/0');
    expect(listing).toContain('app/bin/start');
  });

  it('refuses paths that climb out, repeat, or are both a file and a folder', () => {
    const b = Buffer.from('x');
    expect(thrown(() => layerEntries([{ path: '../etc/passwd', bytes: b }]))).toMatch(/not a file path inside the image/);
    expect(thrown(() => layerEntries([{ path: 'a', bytes: b }, { path: '/a', bytes: b }]))).toMatch(/given twice/);
    expect(thrown(() => layerEntries([{ path: 'a', bytes: b }, { path: 'a/b', bytes: b }]))).toMatch(/"a" is both a file and a directory/);
    expect(thrown(() => layerEntries([{ path: 'a/b', bytes: b }, { path: 'a', bytes: b }]))).toMatch(/"a" is both a file and a directory/);
  });
});
