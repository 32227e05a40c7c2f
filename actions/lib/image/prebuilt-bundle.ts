/** A serving bundle built beforehand (what a published action ships): identified by its sha256. */
import { readFile } from 'node:fs/promises';
import { sha256 } from '../../../training/artifact.ts';
import type { ServingBundleSource } from './build.ts';

export async function prebuiltBundle(file: string): Promise<ServingBundleSource & { sha256: string }> {
  const bytes = await readFile(file);
  const digest = sha256(bytes);
  return { inputs: { kind: 'bundle', sha256: digest }, sha256: digest, read: async () => bytes };
}
