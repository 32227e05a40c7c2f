/**
 * The setting most of the fake's tests share: one fake per test file (checking its own
 * responses against GitHub's schemas), and a repository with a first commit on main.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Permissions } from './auth.ts';
import { GitHubFake } from './github-fake.ts';
import type { FakeRepository } from './state.ts';
import { pushCommit } from './test-git.ts';

export const WRITE_ALL: Permissions = {
  contents: 'write', pull_requests: 'write', issues: 'write', checks: 'write', actions: 'write', deployments: 'write', statuses: 'write',
};

/** Starts a fake for the test file; `get()` returns it inside tests. Every response must fit its schema. */
export function useGitHubFake(): { get(): GitHubFake } {
  let fake: GitHubFake | undefined;
  beforeAll(async () => {
    fake = await GitHubFake.start({ checkResponses: true });
  });
  afterEach(() => {
    // taken out, so one test's violation is reported by that test only
    expect(fake?.responseViolations.splice(0) ?? []).toEqual([]);
  });
  afterAll(async () => {
    await fake?.close();
  });
  return {
    get() {
      if (!fake) throw new Error('the fake starts in beforeAll');
      return fake;
    },
  };
}

/** A new repository `acme/<name>` with `files` committed on main, and its sha. */
export async function repositoryWith(fake: GitHubFake, name: string, files: Record<string, string>): Promise<{ repository: FakeRepository; main: string }> {
  const repository = await fake.createRepository({ owner: 'acme', name });
  const main = pushCommit(repository.git.gitDir, 'main', files, { message: 'Initial commit' });
  return { repository, main };
}

/** An Octokit as a workflow builds one, with a new token of these permissions. */
export function octokitWith(fake: GitHubFake, permissions: Permissions = WRITE_ALL): Octokit {
  return octokitFor(fake, fake.addToken({ permissions }).token);
}

const quiet = () => {};

/** An Octokit with this token; quiet, since the tests expect most of the errors it would log. */
export function octokitFor(fake: GitHubFake, token: string): Octokit {
  return new Octokit({ baseUrl: fake.url, auth: token, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
}

/** The status and body of a request that failed; throws when it succeeded. */
export async function failure(promise: Promise<unknown>): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error && 'status' in err && typeof err.status === 'number') {
      const response = 'response' in err ? (err.response as { data?: unknown } | undefined) : undefined;
      return { status: err.status, data: (response?.data ?? {}) as Record<string, unknown> };
    }
    throw err;
  }
  throw new Error('the request succeeded');
}
