// The `sub` claims GitHub puts in a workflow job's OIDC token, in the two default formats, and the
// ones each mlship role trusts. Pure functions: the trust policies and the tests share them.
//
// - 'name': `repo:<owner>/<repo>:<context>`, the format of repositories created before GitHub's
//   immutable subject claims (changelog 2026-04-23) that have not opted in.
// - 'id':   `repo:<owner>@<ownerId>/<repo>@<repositoryId>:<context>`, the default for repositories
//   created, renamed or transferred since the switch. The numeric ids are never reused, so a
//   deleted and re-created owner or repository name does not match.

export type SubjectFormat = 'name' | 'id';

export interface GitHubRepository {
  readonly owner: string;
  readonly repo: string;
  readonly subjectFormat: SubjectFormat;
  /** Required for 'id': GitHub's numeric id of the owner (`gh api repos/OWNER/REPO --jq .owner.id`). */
  readonly ownerId?: number;
  /** Required for 'id': GitHub's numeric id of the repository (`gh api repos/OWNER/REPO --jq .id`). */
  readonly repositoryId?: number;
}

/** `repo:<owner>/<repo>` or `repo:<owner>@<id>/<repo>@<id>`: what every subject of the repository starts with. */
export function subjectPrefix(r: GitHubRepository): string {
  if (r.subjectFormat === 'name') return `repo:${r.owner}/${r.repo}`;
  if (r.ownerId === undefined || r.repositoryId === undefined) {
    throw new Error(`subject format 'id' needs the owner and repository ids of ${r.owner}/${r.repo}`);
  }
  return `repo:${r.owner}@${r.ownerId}/${r.repo}@${r.repositoryId}`;
}

/**
 * The read-only role (StringLike patterns): `pull_request` jobs, and jobs on any branch of the
 * repository, which covers the merge queue (`refs/heads/gh-readonly-queue/…`), `workflow_dispatch`
 * on a pull request's branch and report-fork.yml's `workflow_run` job (it runs on the default
 * branch). Tags and environments are not trusted.
 */
export function trainSubjects(r: GitHubRepository): string[] {
  const prefix = subjectPrefix(r);
  return [`${prefix}:pull_request`, `${prefix}:ref:refs/heads/*`];
}

/** The publish role: `pull_request` jobs only (GitHub gives a fork's pull request no token). */
export function publishSubjects(r: GitHubRepository): string[] {
  return [`${subjectPrefix(r)}:pull_request`];
}

/**
 * The deploy role: the deploy environment only. Not the deploy branch: every job on `main` with
 * `id-token: write` (report-fork.yml's, for one) gets the branch subject, only the deploy job the
 * environment one. The environment's deployment-branch rule keeps it to `main`.
 */
export function deploySubjects(r: GitHubRepository, environment: string): string[] {
  return [`${subjectPrefix(r)}:environment:${environment}`];
}
