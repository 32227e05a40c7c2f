/**
 * The serving bundle: `mlship serve` (cli/serve-entry.ts, primary and cluster worker in one file)
 * and its production dependencies, in ONE ES module for Node 24, so an image needs `node` and this
 * file, no node_modules. The image builder calls `bundleServing`.
 *
 * Deterministic: the same sources give the same bytes (no timestamps, no absolute paths: esbuild
 * names modules relative to the repository root), so the sha256 identifies the build.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sha256 } from '../../training/artifact.ts';
import { NODE24_ESM_BUNDLE } from './node-bundle.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVING_ENTRY = path.join(ROOT, 'cli/serve-entry.ts');

export interface ServingBundle {
  outfile: string;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
  bytes: number;
}

export async function bundleServing(options: { outfile: string }): Promise<ServingBundle> {
  const outfile = path.resolve(options.outfile);
  await build({
    absWorkingDir: ROOT,
    entryPoints: [SERVING_ENTRY],
    outfile,
    ...NODE24_ESM_BUNDLE,
  });
  const bytes = await readFile(outfile);
  return { outfile, sha256: sha256(bytes), bytes: bytes.length };
}
