/** Pull requests the test seeded: one pull request, and the files it changes (paginated). */
import { diffEntryJson } from '../commit-json.ts';
import { notFound } from '../errors.ts';
import { repositoryJson, unknownRepository } from '../repository-json.ts';
import { pageResult, type Route, type RouteContext, numberParam } from '../route.ts';
import type { FakeRepository, PullRequestRecord } from '../state.ts';
import { nodeId, userJson } from '../user-json.ts';

/** GitHub lists at most 3000 files of a pull request. */
const MAX_FILES = 3000;

export const pullRoutes: Route[] = [
  {
    operationId: 'pulls/get',
    permission: ['pull_requests'],
    async handle(ctx) {
      const pull = pullOf(ctx);
      const files = await changedFiles(ctx, pull);
      const commits = await ctx.repository.git.commitsBetween(pull.base.sha, pull.head.sha);
      return {
        status: 200,
        body: {
          ...pullJson(ctx, pull),
          comments: ctx.state.comments.filter((c) => c.repository === pull.repository && c.issueNumber === pull.number).length,
          review_comments: 0,
          commits: commits.length,
          additions: files.reduce((n, f) => n + f.additions, 0),
          deletions: files.reduce((n, f) => n + f.deletions, 0),
          changed_files: files.length,
          maintainer_can_modify: false,
          mergeable: null,
          mergeable_state: 'unknown',
          merged_by: null,
          rebaseable: null,
        },
      };
    },
  },
  {
    operationId: 'pulls/list-files',
    permission: ['pull_requests'],
    async handle(ctx) {
      const pull = pullOf(ctx);
      const files = (await changedFiles(ctx, pull)).slice(0, MAX_FILES);
      return pageResult(ctx, files, (f) => diffEntryJson(f, pull.repository, pull.head.sha, ctx.links));
    },
  },
];

function pullOf(ctx: RouteContext): PullRequestRecord {
  const number = numberParam(ctx, 'pull_number');
  const pull = ctx.state.pulls.find((p) => p.repository === ctx.repository.fullName && p.number === number);
  if (!pull) throw notFound();
  return pull;
}

/** What the pull request changes: its head against the merge base with its base (a three-dot diff). */
async function changedFiles(ctx: RouteContext, pull: PullRequestRecord) {
  const { git } = ctx.repository;
  const mergeBase = (await git.mergeBase(pull.base.sha, pull.head.sha)) ?? pull.base.sha;
  return git.changedFiles(mergeBase, pull.head.sha);
}

export function pullJson(ctx: RouteContext, pull: PullRequestRecord): Record<string, unknown> {
  const { links } = ctx;
  const url = links.repo(pull.repository, `/pulls/${pull.number}`);
  const issueUrl = links.repo(pull.repository, `/issues/${pull.number}`);
  const html = links.html(`/${pull.repository}/pull/${pull.number}`);
  const side = (ref: string, sha: string, repository: Omit<FakeRepository, 'git'>) => ({
    label: `${repository.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(repository.owner, links),
    repo: repositoryJson(repository, links),
  });
  return {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: links.repo(pull.repository, '/pulls/comments{/number}'),
    comments_url: `${issueUrl}/comments`,
    statuses_url: links.repo(pull.repository, `/statuses/${pull.head.sha}`),
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(pull.user, links),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head.ref, pull.head.sha, ctx.findRepository(pull.head.repository) ?? unknownRepository(pull.head.repository)),
    base: side(pull.base.ref, pull.base.sha, ctx.repository),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: links.repo(pull.repository, '/pulls/comments{/number}') },
      commits: { href: `${url}/commits` },
      statuses: { href: links.repo(pull.repository, `/statuses/${pull.head.sha}`) },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: pull.draft,
    merged: pull.merged,
  };
}

/** The short form runs and check runs name their pull requests with (`pull-request-minimal`). */
export function pullRequestMinimalJson(ctx: RouteContext, pull: PullRequestRecord): Record<string, unknown> {
  const repo = { id: ctx.repository.id, url: ctx.links.repo(pull.repository), name: ctx.repository.name };
  return {
    id: pull.id, number: pull.number, url: ctx.links.repo(pull.repository, `/pulls/${pull.number}`),
    head: { ref: pull.head.ref, sha: pull.head.sha, repo },
    base: { ref: pull.base.ref, sha: pull.base.sha, repo },
  };
}
