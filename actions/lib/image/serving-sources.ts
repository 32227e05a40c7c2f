/**
 * The serving bundle's inputs from git, without running esbuild: the object ids at HEAD of every
 * path the bundle can be built from. cli/serve-entry.ts imports cli/, serving/, registry/ and
 * training/; the bundler and this builder live in actions/lib/; package-lock.json fixes every
 * dependency (and esbuild's version), package.json and tsconfig.json what esbuild reads of the
 * project. Conservative on purpose: a change to any of them gives a new inputs tag (at worst a
 * build that finds its layers already pushed), a change to none gives the same one.
 *
 * Only a clean checkout says what the bundle is: with uncommitted changes under these paths the
 * caller must identify the bundle by its digest instead, so this gives undefined.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BundleInputs } from './inputs-tag.ts';

export const SERVING_SOURCES = ['actions/lib', 'cli', 'registry', 'serving', 'training', 'types', 'package-lock.json', 'package.json', 'tsconfig.json'] as const;

const git = async (cwd: string, args: string[]) => (await promisify(execFile)('git', args, { cwd })).stdout.trim();

export async function servingSourceInputs(root: string): Promise<BundleInputs | undefined> {
  try {
    const dirty = await git(root, ['status', '--porcelain', '--untracked-files=all', '--', ...SERVING_SOURCES]);
    if (dirty) return undefined;
    const ids = (await git(root, ['rev-parse', ...SERVING_SOURCES.map((p) => `HEAD:${p}`)])).split('\n');
    if (ids.length !== SERVING_SOURCES.length) return undefined;
    return { kind: 'sources', trees: Object.fromEntries(SERVING_SOURCES.map((p, i) => [p, ids[i]!])) };
  } catch {
    return undefined; // not a git checkout, no commit yet, or a path missing at HEAD
  }
}
