/**
 * Bundles every action (`actions/<name>/main.ts` → `actions/<name>/dist/index.js`: one ES module
 * for the runner's Node 24, dependencies included, since a runner has no node_modules of ours) and
 * the serving bundle the build-image action ships (`actions/build-image/dist/serve.mjs` and its
 * chunks in `dist/serve-chunks/`, a folder emptied first so it never keeps an earlier build's).
 * Deterministic, like the serving bundle: esbuild names modules relative to the repository, so
 * the committed files can be checked by rebuilding them (tests/actions/bundles.test.ts).
 *
 *   node actions/build.ts            # write the committed bundles
 *   node actions/build.ts --out DIR  # write them under DIR instead (same relative paths)
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { NODE24_ESM_BUNDLE } from './lib/node-bundle.ts';
import { bundleServing } from './lib/serving-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The actions: folders of actions/ with a main.ts. */
export async function actionNames(): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, 'actions'), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && existsSync(path.join(ROOT, 'actions', e.name, 'main.ts'))).map((e) => e.name).sort();
}

/** The files written, relative to `out`. */
export async function buildActions(out: string = ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const name of await actionNames()) {
    const file = path.join('actions', name, 'dist', 'index.js');
    await build({
      absWorkingDir: ROOT,
      entryPoints: [path.join(ROOT, 'actions', name, 'main.ts')],
      outfile: path.join(out, file),
      ...NODE24_ESM_BUNDLE,
    });
    written.push(file);
  }
  // A random forest trains on worker threads, which run their own file: it sits beside the train
  // action's bundle, where training/forest/pool.ts looks for it.
  const forestWorker = path.join('actions', 'train', 'dist', 'forest-worker.js');
  await build({ absWorkingDir: ROOT, entryPoints: [path.join(ROOT, 'training/forest/worker.ts')], outfile: path.join(out, forestWorker), ...NODE24_ESM_BUNDLE });
  written.push(forestWorker);
  const serve = path.join('actions', 'build-image', 'dist', 'serve.mjs');
  const bundle = await bundleServing({ outfile: path.join(out, serve) });
  for (const f of bundle.files) written.push(path.join(path.dirname(serve), f.path));
  return written;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  for (const file of await buildActions(values.out ? path.resolve(values.out) : ROOT)) process.stdout.write(`${file}\n`);
}
