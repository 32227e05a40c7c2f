/**
 * What a team does to main in the delivery loop, with the git CLI against the GitHub fake's bare
 * repository: merge a pull request's branch (a merge commit, as GitHub's merge button makes one)
 * and `git revert` a merge (its data and its lock commit together). Each returns main's new tip.
 */
import path from 'node:path';
import { git } from '../../fakes/github/test-git.ts';
import { scratchDir } from '../pr/scenario.ts';

function clone(gitDir: string): string {
  const dir = path.join(scratchDir('mlship-main-'), 'repo');
  git(['clone', '--quiet', '--branch', 'main', gitDir, dir]);
  return dir;
}

/** `git merge --no-ff` of the branch into main, pushed (a fast-forward push of the merge commit). */
export function mergeIntoMain(gitDir: string, branch: string, message: string): string {
  const dir = clone(gitDir);
  git(['merge', '--quiet', '--no-ff', '-m', message, `origin/${branch}`], dir);
  git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], dir);
  return git(['rev-parse', 'HEAD'], dir);
}

/** `git revert -m 1` of a merge commit on main, pushed: everything the merge brought, undone in one commit. */
export function revertOnMain(gitDir: string, merge: string): string {
  const dir = clone(gitDir);
  git(['revert', '--no-edit', '-m', '1', merge], dir);
  git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], dir);
  return git(['rev-parse', 'HEAD'], dir);
}

/** main's tip in the bare repository. */
export const mainTip = (gitDir: string) => git(['--git-dir', gitDir, 'rev-parse', 'refs/heads/main']);

/** A file as main has it. */
export const onMain = (gitDir: string, file: string) => git(['--git-dir', gitDir, 'show', `main:${file}`]);
