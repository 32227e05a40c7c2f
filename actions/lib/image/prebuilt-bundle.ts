/**
 * A serving bundle built beforehand (what a published action ships): its entry file and the chunk
 * folder beside it, identified by their digest (bundleDigest).
 */
import { bundleDigest, readBundleFiles } from '../serving-bundle-files.ts';
import type { ServingBundleSource } from './build.ts';

export async function prebuiltBundle(file: string): Promise<ServingBundleSource & { sha256: string }> {
  const bundle = await readBundleFiles(file);
  const digest = bundleDigest(bundle.files);
  return { inputs: { kind: 'bundle', sha256: digest }, sha256: digest, read: async () => bundle };
}
