/**
 * The serving bundle's files (actions/lib/serving-bundle-files.ts): one digest for the set, which
 * any change to the entry or a chunk changes; read back from disk as written; laid out in the app
 * layer with the entry at /app/serve.mjs and the chunks beside it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appLayerFiles } from '../../actions/lib/image/app-layer.ts';
import { bundleDigest, chunkFolder, readBundleFiles } from '../../actions/lib/serving-bundle-files.ts';
import type { BundleFile } from '../../actions/lib/serving-bundle-files.ts';
import { tempDir } from '../helpers/temp.ts';

const file = (p: string, text: string): BundleFile => ({ path: p, bytes: Buffer.from(text) });
const ENTRY = file('serve.mjs', 'import "./serve-chunks/chunk-A.mjs";\n');
const CHUNK = file('serve-chunks/chunk-A.mjs', 'export {};\n');

describe('serving bundle files', () => {
  const dir = tempDir('mlship-bundle-files-');

  it('have one digest, whatever the order, that an entry-only or chunk-only change changes', () => {
    const digest = bundleDigest([ENTRY, CHUNK]);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleDigest([CHUNK, ENTRY])).toBe(digest);
    expect(bundleDigest([file('serve.mjs', 'import "./serve-chunks/chunk-A.mjs";\n//\n'), CHUNK])).not.toBe(digest);
    expect(bundleDigest([ENTRY, file(CHUNK.path, 'export { };\n')])).not.toBe(digest);
    expect(bundleDigest([ENTRY, file('serve-chunks/chunk-B.mjs', 'export {};\n')])).not.toBe(digest); // renamed
    expect(bundleDigest([ENTRY])).not.toBe(digest);
  });

  it('are read back as the entry and every file of its chunk folder, or the entry alone', async () => {
    await mkdir(path.join(dir, 'a', chunkFolder('serve.mjs')), { recursive: true });
    for (const f of [ENTRY, CHUNK]) await writeFile(path.join(dir, 'a', f.path), f.bytes);
    const read = await readBundleFiles(path.join(dir, 'a', 'serve.mjs'));
    expect(read.entry).toBe('serve.mjs');
    expect(read.files.map((f) => [f.path, Buffer.from(f.bytes).toString()])).toEqual([[CHUNK.path, 'export {};\n'], [ENTRY.path, 'import "./serve-chunks/chunk-A.mjs";\n']]);
    expect(bundleDigest(read.files)).toBe(bundleDigest([ENTRY, CHUNK]));

    await mkdir(path.join(dir, 'b'));
    await writeFile(path.join(dir, 'b', 'other.mjs'), 'console.log(1);\n');
    expect((await readBundleFiles(path.join(dir, 'b', 'other.mjs'))).files.map((f) => f.path)).toEqual(['other.mjs']);
    await expect(readBundleFiles(path.join(dir, 'b', 'missing.mjs'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuse a chunk folder that holds a folder', async () => {
    await mkdir(path.join(dir, 'c', 'serve-chunks', 'nested'), { recursive: true });
    await writeFile(path.join(dir, 'c', 'serve.mjs'), 'export {};\n');
    await expect(readBundleFiles(path.join(dir, 'c', 'serve.mjs'))).rejects.toThrow(/chunk folder holds "nested", which is not a file/);
  });

  it('go into the app layer: the entry at /app/serve.mjs whatever its name, the chunks beside it', () => {
    expect(appLayerFiles({ entry: 'serve.mjs', files: [ENTRY, CHUNK] }).map((f) => f.path)).toEqual(['/app/serve-chunks/chunk-A.mjs', '/app/serve.mjs']);
    const other = file('other.mjs', 'import "./other-chunks/chunk-A.mjs";\n');
    expect(appLayerFiles({ entry: 'other.mjs', files: [other, file('other-chunks/chunk-A.mjs', '')] }).map((f) => f.path)).toEqual(['/app/other-chunks/chunk-A.mjs', '/app/serve.mjs']);
  });
});
