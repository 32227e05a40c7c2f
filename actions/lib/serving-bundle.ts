/**
 * The serving bundle: `mlship serve` (cli/serve-entry.ts, primary and cluster worker in one entry)
 * and its production dependencies, as ES modules for Node 24, so an image needs `node` and these
 * files, no node_modules. The image builder calls `bundleServing`.
 *
 * An entry file plus chunks (esbuild's `splitting`): cli/serve-entry.ts imports each side's part
 * dynamically, so each dynamic import starts a chunk, and a cluster worker loads only the chunks
 * it runs (0.35 MB of 3.4), not the job runtime, pg-boss, the AWS SDK, pglite or the CLI. The
 * entry keeps the name asked for (`serve.mjs`, what `node` is given); its chunks sit beside it in
 * `serve-chunks/` (serving-bundle-files.ts), `.mjs` so Node reads them as ES modules with no
 * package.json. Each output file starts with the `require` banner: a chunk is a module of its own,
 * and a CommonJS dependency inside it calls the `require` of the chunk it is in.
 *
 * Deterministic: the same sources give the same bytes and names (no timestamps, no absolute paths:
 * esbuild names modules relative to the repository root; chunk names are hashes of their content),
 * so one digest over the files (bundleDigest) identifies the build.
 *
 * Every process parses what it loads and V8 keeps its source text for lazy compilation, so its
 * size is RSS in each worker: whitespace and comments are left out (names are kept, for stack
 * traces), the files are ASCII (a one-byte string; one non-ASCII character makes V8 keep it at two
 * bytes a character), and zod's 40 message locales are left out but for English, the one it uses.
 * With the three example models, 2 workers: 95 MB each before these, 87 MB after; one file to
 * chunks, 83–85 → 77.5–79 MB (anonymous memory 35 → 29 MB).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { writeFileAtomic } from '../../training/atomic-write.ts';
import { MlshipError } from '../../training/errors.ts';
import { NODE24_ESM_BUNDLE } from './node-bundle.ts';
import { bundleDigest, chunkFolder, sortedFiles } from './serving-bundle-files.ts';
import type { BundleFile, BundleFiles } from './serving-bundle-files.ts';

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

export interface ServingBundle extends BundleFiles {
  /** The entry's absolute path: what `node` runs. */
  outfile: string;
  /** The bundle's digest (bundleDigest), hex. */
  sha256: string;
  /** Of all its files. */
  bytes: number;
}

/**
 * Builds the bundle: its entry at `outfile` (a `.mjs` name), its chunks in the folder beside it,
 * which is emptied before they are written so it holds this build's chunks alone.
 */
export async function bundleServing(options: { outfile: string }): Promise<ServingBundle> {
  const outfile = path.resolve(options.outfile);
  if (path.extname(outfile) !== '.mjs') throw new MlshipError('the serving bundle\'s entry must be a .mjs file (its chunks are .mjs too, ES modules without a package.json)', { file: outfile });
  const dir = path.dirname(outfile);
  const entry = path.basename(outfile);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: SERVING_ENTRY, out: path.basename(entry, '.mjs') }],
    outdir: dir,
    splitting: true,
    chunkNames: `${chunkFolder(entry)}/chunk-[hash]`,
    outExtension: { '.js': '.mjs' },
    write: false,
    ...NODE24_ESM_BUNDLE,
    minifyWhitespace: true,
    charset: 'ascii',
    plugins: [ZOD_ENGLISH_ONLY],
  });
  const files = sortedFiles(result.outputFiles.map((f) => ({ path: path.relative(dir, f.path).split(path.sep).join('/'), bytes: f.contents })));
  const main = files.find((f) => f.path === entry);
  if (!main) throw new MlshipError(`esbuild gave no ${entry}`, { file: outfile });
  const write = (f: BundleFile) => writeFileAtomic(path.join(dir, f.path), Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength));
  await rm(path.join(dir, chunkFolder(entry)), { recursive: true, force: true });
  await Promise.all(files.filter((f) => f !== main).map(write));
  // The entry last: it names the chunks, which are there by then.
  await write(main);
  return { outfile, entry, files, sha256: bundleDigest(files), bytes: files.reduce((n, f) => n + f.bytes.byteLength, 0) };
}
