/** Resolving the names clients give (branch, tag, sha, `heads/x`) to commits of a repository. */
import { notFound } from '../errors.ts';
import type { GitRepo } from '../git-repo.ts';

/** The commit a ref name, branch, tag or sha names, as GitHub resolves `?ref=` and `{ref}`. */
export async function resolveCommitish(git: GitRepo, name: string): Promise<string | undefined> {
  for (const candidate of [`refs/heads/${name}`, `refs/tags/${name}`, name.startsWith('refs/') ? name : undefined]) {
    if (candidate === undefined) continue;
    const sha = await git.refTarget(candidate);
    if (sha) return git.resolve(sha);
  }
  return /^[0-9a-f]{4,40}$/.test(name) ? git.resolve(name) : undefined;
}

/** The tip of a branch, or a 404 as GitHub answers for a branch that is not there. */
export async function branchTip(git: GitRepo, branch: string): Promise<string> {
  const sha = await git.refTarget(`refs/heads/${branch}`);
  if (!sha) throw notFound(`Branch ${branch} not found`);
  return sha;
}
