/**
 * The commit a model folder is trained at, for provenance in the lock: `MLSHIP_COMMIT` when set
 * (CI names the commit it checked out), else the checkout's HEAD when the folder has no
 * uncommitted changes (untracked and ignored files included), else null: a dirty tree names no commit.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { COMMIT_ID } from '../training/identifiers.ts';
import { UsageError } from './io.ts';

const git = (cwd: string, args: string[]) => promisify(execFile)('git', args, { cwd }).then((r) => r.stdout.trim());


/** `value` when it is a full commit id; a usage error naming where it came from (`label`) otherwise. */
export function checkCommitId(value: string, label: string): string {
  if (!COMMIT_ID.test(value)) throw new UsageError(`${label} must be a full commit id (40 or 64 lowercase hex digits), got "${value.slice(0, 80)}"`);
  return value;
}

export async function commitOf(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (env.MLSHIP_COMMIT) return checkCommitId(env.MLSHIP_COMMIT, 'MLSHIP_COMMIT');
  try {
    const head = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    // Ignored files count too: an ignored data file is not in the commit, so the commit cannot rebuild the model.
    const changes = await git(dir, ['status', '--porcelain', '--untracked-files=all', '--ignored', '--', '.']);
    return head && !changes ? head : null;
  } catch {
    return null; // not a git checkout, or no commit yet
  }
}

/** `commitOf` for each model folder, keyed by the folder's name (the model's name). */
export async function commitsOf(dirs: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, string | null>> {
  const entries = await Promise.all(dirs.map(async (dir) => [path.basename(path.resolve(dir)), await commitOf(dir, env)] as const));
  return new Map(entries);
}
