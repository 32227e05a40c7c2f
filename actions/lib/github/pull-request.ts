/**
 * The pull request an event is about, from its webhook payload (`GITHUB_EVENT_PATH`), and the
 * files it changes (the API's list, every page). Only the fields mlship uses are read, and
 * checked: the payload is GitHub's, but its strings (branch names, titles) are the author's.
 */
import { z } from 'zod';
import { MlshipError } from '../../../training/errors.ts';
import type { GitHubClient, RepoRef } from './client.ts';

export class EventError extends MlshipError {}

const side = z.object({
  ref: z.string(),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  repo: z.object({ full_name: z.string() }).nullable(),
});
const pullRequestEvent = z.object({
  pull_request: z.object({ number: z.int().min(1), head: side, base: side }),
  repository: z.object({ full_name: z.string() }),
});

export interface PullRequestInfo {
  number: number;
  base: { ref: string; sha: string; repository: string };
  head: { ref: string; sha: string; repository: string };
  /** The head branch lives in another repository: the run is untrusted, and nothing is published. */
  fork: boolean;
}

export function pullRequestFromEvent(payload: unknown): PullRequestInfo {
  const parsed = pullRequestEvent.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EventError(`this is not a pull_request event: ${issue.message}`, { field: issue.path.join('.') });
  }
  const { pull_request: pr, repository } = parsed.data;
  const base = pr.base.repo?.full_name ?? repository.full_name;
  // a deleted fork has no repository: it is still not this one
  const head = pr.head.repo?.full_name ?? '(deleted fork)';
  return {
    number: pr.number,
    base: { ref: pr.base.ref, sha: pr.base.sha, repository: base },
    head: { ref: pr.head.ref, sha: pr.head.sha, repository: head },
    fork: head.toLowerCase() !== base.toLowerCase(),
  };
}

/** Every file the pull request changes, with the old name of a renamed one too. */
export async function pullRequestFiles(client: GitHubClient, repo: RepoRef, number: number): Promise<string[]> {
  const files = await client.paginate(client.rest.pulls.listFiles, { ...repo, pull_number: number, per_page: 100 });
  return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}
