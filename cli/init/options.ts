/** Checks what `mlship init` is told about the mlship repository its workflows will use. */
import { UsageError } from '../io.ts';
import type { RemoteActions } from './render.ts';

// GitHub's rules: an owner is 1-39 letters, digits or single inner hyphens; a repository name is
// letters, digits, '.', '-' and '_' (but not '.' or '..').
const OWNER = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const COMMIT = /^[0-9a-f]{40}$/;

export function remoteSource(owner: string, repo: string, commit: string): RemoteActions {
  if (!OWNER.test(owner)) throw new UsageError(`--owner must be a GitHub user or organisation name, got "${owner.slice(0, 80)}"`);
  if (!REPO.test(repo) || repo === '.' || repo === '..') throw new UsageError(`--repo must be a GitHub repository name, got "${repo.slice(0, 120)}"`);
  // A full commit id, never a tag or branch: the workflows must not change when a tag moves.
  if (!COMMIT.test(commit)) throw new UsageError(`--commit must be a full commit id (40 lowercase hex digits), got "${commit.slice(0, 80)}"`);
  return { kind: 'remote', owner, repo, commit };
}
