/**
 * The serving bundle: `mlship serve` (cli/serve-entry.ts, primary and cluster worker in one file)
 * and its production dependencies, in ONE ES module for Node 24, so an image needs `node` and this
 * file, no node_modules. The image builder calls `bundleServing`.
 *
 * Deterministic: the same sources give the same bytes (no timestamps, no absolute paths: esbuild
 * names modules relative to the repository root), so the sha256 identifies the build.
 *
 * Every process parses the whole file and V8 keeps its source text for lazy compilation, so its
 * size is RSS in each worker: whitespace and comments are left out (names are kept, for stack
 * traces), the file is ASCII (a one-byte string; one non-ASCII character makes V8 keep it at two
 * bytes a character), and zod's 40 message locales are left out but for English, the one it uses.
 * With the three example models, 2 workers: 95 MB each before these, 87 MB after.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { sha256 } from '../../training/artifact.ts';
import { NODE24_ESM_BUNDLE } from './node-bundle.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVING_ENTRY = path.join(ROOT, 'cli/serve-entry.ts');

/**
 * zod's `locales` namespace (`z.locales`, every language's messages) as English alone. The module
 * is named relative to the repository, as esbuild names files, so its name in the bundle is the
 * same in every checkout.
 */
const ZOD_ENGLISH_ONLY: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[/\\]node_modules[/\\]zod[/\\]v4[/\\]/.test(args.importer)
        ? { path: path.relative(ROOT, path.join(path.dirname(args.importer), '../locales/index.js')).split(path.sep).join('/'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: "export { default as en } from './en.js';\n", resolveDir: path.join(ROOT, path.dirname(args.path)), loader: 'js' }));
  },
};

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
    minifyWhitespace: true,
    charset: 'ascii',
    plugins: [ZOD_ENGLISH_ONLY],
  });
  const bytes = await readFile(outfile);
  return { outfile, sha256: sha256(bytes), bytes: bytes.length };
}
