/**
 * The serving bundle on disk: an entry module (what `node` runs) and the chunks it imports, in a
 * folder beside it named for it (`serve.mjs` → `serve-chunks/`), and the one digest that names the
 * whole set. The bundler (serving-bundle.ts) writes them; the image builder reads a prebuilt one.
 * No esbuild here: the build-image action's own bundle includes this module.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../training/artifact.ts';
import { MlshipError } from '../../training/errors.ts';

export interface BundleFile {
  /** Relative to the entry's folder, `/`-separated: `serve.mjs`, `serve-chunks/chunk-….mjs`. */
  path: string;
  bytes: Uint8Array;
}

export interface BundleFiles {
  /** The entry's path among `files`. */
  entry: string;
  /** Every file of the bundle, the entry included, sorted by path. */
  files: readonly BundleFile[];
}

/** The folder of the entry's chunks, beside it: the entry imports them by this relative name. */
export function chunkFolder(entry: string): string {
  return `${path.posix.basename(entry, path.posix.extname(entry))}-chunks`;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function sortedFiles(files: readonly BundleFile[]): BundleFile[] {
  return [...files].sort(byPath);
}

/**
 * The bundle's digest, hex: sha256 over one `path\0sha256-of-its-bytes\n` line a file, sorted by
 * path. A change to any file, or a file added, removed or renamed, changes it.
 */
export function bundleDigest(files: readonly BundleFile[]): string {
  return sha256(sortedFiles(files).map((f) => `${f.path}\0${sha256(f.bytes)}\n`).join(''));
}

/**
 * A bundle as written: the entry file and every file of its chunk folder (none when it has no such
 * folder: a one-file bundle). The bundler empties that folder before it writes, so it holds no
 * leftovers of an earlier build.
 */
export async function readBundleFiles(entryFile: string): Promise<BundleFiles> {
  const entry = path.basename(entryFile);
  const folder = chunkFolder(entry);
  const dir = path.join(path.dirname(entryFile), folder);
  const listed = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException): Dirent[] => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const other = listed.find((d) => !d.isFile());
  if (other) throw new MlshipError(`the serving bundle's chunk folder holds "${other.name}", which is not a file`, { file: dir });
  const files = await Promise.all([
    readFile(entryFile).then((bytes) => ({ path: entry, bytes })),
    ...listed.map(async (d) => ({ path: `${folder}/${d.name}`, bytes: await readFile(path.join(dir, d.name)) })),
  ]);
  return { entry, files: sortedFiles(files) };
}
