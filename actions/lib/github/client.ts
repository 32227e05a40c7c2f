/**
 * The GitHub client the actions use: `@actions/github`'s Octokit, pointed at the API the runner
 * names (`GITHUB_API_URL`; GitHub Enterprise, or the tests' fake), with a token it is given.
 */
import { getOctokit } from '@actions/github';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function githubClient(token: string, apiUrl: string): GitHubClient {
  return getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, '') });
}

/** `owner/name` → `{ owner, repo }`. */
export function repoRef(fullName: string): RepoRef {
  const [owner, repo, ...rest] = fullName.split('/');
  if (!owner || !repo || rest.length) throw new TypeError(`"${fullName}" is not owner/name`);
  return { owner, repo };
}

/** The HTTP status of an Octokit request error, if it is one. */
export function httpStatus(err: unknown): number | undefined {
  return err instanceof Error && 'status' in err && typeof err.status === 'number' ? err.status : undefined;
}
