/**
 * Committing `models.lock.json` to a pull request's head branch through the git data API, never
 * through a checkout (the workflow's checkout is the merge commit, not the branch): read the
 * branch's tip and its lock, apply the change, and commit with the tip as the parent; the ref
 * update is a compare-and-swap, so when someone pushed meanwhile GitHub answers 422 and we read
 * again and retry, a bounded number of times. When the lock's text does not change, no commit is
 * made: a rerun on the lock commit itself changes nothing.
 */
import { MlshipError } from '../../../training/errors.ts';
import type { Lock } from '../../../registry/lock.ts';
import { DEFAULT_LOCK, emptyLock, formatLock, parseLock } from '../../../registry/lock.ts';
import type { GitHubClient, RepoRef } from '../github/client.ts';
import { httpStatus } from '../github/client.ts';
import { readFileAt } from '../github/contents.ts';

export class LockCommitError extends MlshipError {}

export interface LockAtRef {
  lock: Lock;
  /** The file's text (undefined: no lock there yet). */
  text: string | undefined;
}

/** The lock at a ref, read through the API; no file is an empty lock. */
export async function readLockAt(client: GitHubClient, repo: RepoRef, ref: string, path = DEFAULT_LOCK): Promise<LockAtRef> {
  const bytes = await readFileAt(client, repo, ref, path);
  if (bytes === undefined) return { lock: emptyLock(), text: undefined };
  const text = bytes.toString('utf8');
  return { lock: parseLock(text, `${path}@${ref.slice(0, 12)}`), text };
}

export interface LockCommitOptions {
  repo: RepoRef;
  /** The pull request's head branch. */
  branch: string;
  /** `owner/name` of the pull request's head repository: it must be `repo` (forks are never written). */
  headRepository: string;
  path?: string;
  /** The new lock from the one on the branch (called again on every retry). */
  change: (lock: Lock) => Lock;
  /** At most this many tries when the branch keeps moving. */
  attempts?: number;
}

export interface LockCommitResult {
  /** The new commit, or null when the lock was already current. */
  commit: string | null;
  /** The branch tip the commit was made on (or that was found current). */
  parent: string;
  lock: Lock;
  message: string | null;
  attempts: number;
}

export async function commitLock(client: GitHubClient, options: LockCommitOptions): Promise<LockCommitResult> {
  const { repo, branch } = options;
  const path = options.path ?? DEFAULT_LOCK;
  if (options.headRepository.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) {
    throw new LockCommitError(`the pull request's branch is in ${options.headRepository}, a fork: mlship never writes to a fork`);
  }
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const { data: ref } = await client.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    const tip = ref.object.sha;
    const current = await readLockAt(client, repo, tip, path);
    const lock = options.change(current.lock);
    const text = formatLock(lock);
    if (text === current.text) return { commit: null, parent: tip, lock, message: null, attempts: attempt };
    const message = lockCommitMessage(current.lock, lock);
    const { data: parent } = await client.rest.git.getCommit({ ...repo, commit_sha: tip });
    const { data: blob } = await client.rest.git.createBlob({ ...repo, content: Buffer.from(text).toString('base64'), encoding: 'base64' });
    const { data: tree } = await client.rest.git.createTree({ ...repo, base_tree: parent.tree.sha, tree: [{ path, mode: '100644', type: 'blob', sha: blob.sha }] });
    const { data: commit } = await client.rest.git.createCommit({ ...repo, message, tree: tree.sha, parents: [tip] });
    try {
      await client.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: commit.sha });
      return { commit: commit.sha, parent: tip, lock, message, attempts: attempt };
    } catch (err) {
      // 422 "Update is not a fast forward": the branch moved since we read it
      if (httpStatus(err) !== 422 || attempt >= attempts) {
        if (httpStatus(err) === 422) throw new LockCommitError(`the branch ${branch} kept moving: gave up after ${attempts} attempts`, {}, { cause: err });
        throw err;
      }
    }
  }
}

/** `mlship: pin iris 4f1c2a9e07b3, wine 0a1b2c3d4e5f; unpin old`: what the lock commit changes. */
export function lockCommitMessage(before: Lock, after: Lock): string {
  const pinned = Object.entries(after.models)
    .filter(([name, e]) => before.models[name]?.version !== e.version)
    .map(([name, e]) => `${name} ${e.version}`);
  const unpinned = Object.keys(before.models).filter((name) => !(name in after.models));
  const parts = [pinned.length ? `pin ${pinned.join(', ')}` : '', unpinned.length ? `unpin ${unpinned.join(', ')}` : ''].filter(Boolean);
  const what = parts.length ? parts.join('; ') : 'update models.lock.json';
  const body = [
    ...Object.entries(after.models)
      .filter(([name, e]) => before.models[name]?.version !== e.version)
      .map(([name, e]) => `${name}: ${before.models[name]?.version ?? 'new'} → ${e.version} (sha256 ${e.sha256})`),
    ...unpinned.map((name) => `${name}: ${before.models[name]!.version} → removed`),
  ];
  return `mlship: ${what}\n\n${body.length ? `${body.join('\n')}\n\n` : ''}Committed by the mlship publish action.`;
}
