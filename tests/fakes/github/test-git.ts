/**
 * For the fake's tests (and the workflows' tests): commit files to a bare repository the way a
 * developer would, with the git CLI in a throwaway clone, and read its history back.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Developer',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Test Developer',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
}

/**
 * Pushes one commit to `branch` of the bare repository `gitDir`: `files` (path → content, null
 * deletes) on top of `from` (a branch or sha; default: the branch itself, or nothing for a new one).
 * Returns the new commit's sha.
 */
export function pushCommit(gitDir: string, branch: string, files: Record<string, string | null>, options: { message?: string; from?: string } = {}): string {
  const work = mkdtempSync(path.join(tmpdir(), 'github-fake-work-'));
  try {
    git(['init', '--quiet', work]);
    git(['fetch', '--quiet', gitDir, '+refs/heads/*:refs/remotes/origin/*'], work);
    const start = options.from ?? branch;
    const exists = (() => {
      try {
        git(['rev-parse', '--verify', '--quiet', `${/^[0-9a-f]{40}$/.test(start) ? start : `origin/${start}`}^{commit}`], work);
        return true;
      } catch {
        return false;
      }
    })();
    if (exists) git(['checkout', '--quiet', '-B', branch, /^[0-9a-f]{40}$/.test(start) ? start : `origin/${start}`], work);
    else git(['checkout', '--quiet', '--orphan', branch], work);
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(work, file);
      if (content === null) git(['rm', '--quiet', file], work);
      else {
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, content);
        git(['add', file], work);
      }
    }
    git(['commit', '--quiet', '--allow-empty', '-m', options.message ?? `Change ${Object.keys(files).join(', ')}`], work);
    git(['push', '--quiet', '--force', gitDir, `HEAD:refs/heads/${branch}`], work);
    return git(['rev-parse', 'HEAD'], work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `git log --format=<format>` of a ref in the bare repository, newest first. */
export function gitLog(gitDir: string, ref: string, format = '%s'): string[] {
  return git(['--git-dir', gitDir, 'log', `--format=${format}`, ref]).split('\n').filter(Boolean);
}
