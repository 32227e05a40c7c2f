/**
 * The serving bundle from this checkout's sources: identified by their git object ids (no build
 * needed to know the inputs tag) and built only when an image is. With uncommitted changes to the
 * sources, the ids would not describe it: the bundle is built at once and known by its digest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleServing } from '../serving-bundle.ts';
import type { ServingBundle } from '../serving-bundle.ts';
import type { ServingBundleSource } from './build.ts';
import { servingSourceInputs } from './serving-sources.ts';

/** The repository these sources are in: the bundler builds from the same one. */
export const SOURCE_ROOT = path.resolve(import.meta.dirname, '../../..');

/** Built in a temporary folder: the files are kept in memory, their digest with them. */
async function buildBundle(): Promise<ServingBundle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mlship-bundle-'));
  try {
    return await bundleServing({ outfile: path.join(dir, 'serve.mjs') });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function sourceBundle(): Promise<ServingBundleSource> {
  const inputs = await servingSourceInputs(SOURCE_ROOT);
  if (inputs) {
    let built: Promise<ServingBundle> | undefined;
    return { inputs, read: () => (built ??= buildBundle()) };
  }
  const bundle = await buildBundle();
  return { inputs: { kind: 'bundle', sha256: bundle.sha256 }, read: async () => bundle };
}
