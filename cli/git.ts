/** The commit the working tree is at, for lineage: MLSHIP_COMMIT, else `git rev-parse HEAD`, else null. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function currentCommit(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (env.MLSHIP_COMMIT) return env.MLSHIP_COMMIT;
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd });
    return stdout.trim() || null;
  } catch {
    return null; // not a git checkout, or no commit yet
  }
}
