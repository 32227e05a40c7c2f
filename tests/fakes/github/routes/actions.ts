/**
 * Actions: workflow dispatches (recorded), seeded workflow runs, and their artifacts, whose zip
 * is served at a secret URL that needs no Authorization header, like GitHub's signed blob URLs.
 */
import { GitHubError, notFound, unprocessable } from '../errors.ts';
import { isoSeconds } from '../git-repo.ts';
import { repositoryJson, unknownRepository } from '../repository-json.ts';
import { pageResult, recordOf, type Route, type RouteContext, type RouteResult, stringParam } from '../route.ts';
import type { ArtifactRecord, FakeState, WorkflowRunRecord } from '../state.ts';
import { nodeId, userJson } from '../user-json.ts';
import { pullRequestMinimalJson } from './pulls.ts';
import { resolveCommitish } from './refs.ts';

const DOWNLOADS = '/_fake/artifacts/';

export const actionRoutes: Route[] = [
  {
    operationId: 'actions/create-workflow-dispatch',
    permission: ['actions'],
    async handle(ctx) {
      const { ref, inputs = {} } = ctx.body as { ref: string; inputs?: Record<string, unknown> };
      const workflowId = stringParam(ctx, 'workflow_id');
      const { git } = ctx.repository;
      const sha = await resolveCommitish(git, ref.replace(/^refs\/(heads|tags)\//, ''));
      if (!sha) throw unprocessable(`No ref found for: ${ref}`);
      // the workflow must exist on that ref: by file name, or by the id of a seeded run's workflow
      const known = /^\d+$/.test(workflowId)
        ? ctx.state.workflowRuns.some((r) => r.repository === ctx.repository.fullName && r.workflowId === Number(workflowId))
        : (await git.entryAt(sha, `.github/workflows/${workflowId}`)) !== undefined;
      if (!known) throw notFound();
      ctx.state.dispatches.push({ repository: ctx.repository.fullName, workflowId, ref, inputs, actor: ctx.actor, at: isoSeconds(new Date()) });
      return { status: 204 };
    },
  },
  {
    operationId: 'actions/get-workflow-run',
    permission: ['actions'],
    async handle(ctx) {
      return { status: 200, body: await workflowRunJson(ctx, recordOf(ctx, ctx.state.workflowRuns, 'run_id')) };
    },
  },
  {
    operationId: 'actions/list-workflow-run-artifacts',
    permission: ['actions'],
    handle(ctx) {
      const run = recordOf(ctx, ctx.state.workflowRuns, 'run_id');
      const name = ctx.params.name;
      const artifacts = ctx.state.artifacts.filter((a) => a.runId === run.id && (name === undefined || a.name === name));
      return pageResult(ctx, artifacts, (a) => artifactJson(ctx, a), 'artifacts');
    },
  },
  {
    operationId: 'actions/get-artifact',
    permission: ['actions'],
    handle: (ctx) => ({ status: 200, body: artifactJson(ctx, recordOf(ctx, ctx.state.artifacts, 'artifact_id')) }),
  },
  {
    operationId: 'actions/download-artifact',
    permission: ['actions'],
    handle(ctx) {
      const artifact = recordOf(ctx, ctx.state.artifacts, 'artifact_id');
      if (stringParam(ctx, 'archive_format') !== 'zip') throw notFound();
      if (artifact.expired) throw new GitHubError(410, 'Artifact has expired');
      return { status: 302, headers: { location: ctx.links.api(`${DOWNLOADS}${artifact.downloadToken}/${encodeURIComponent(artifact.name)}.zip`) } };
    },
  },
];

/** The zip behind a download URL the API redirected to; undefined for any other path. */
export function artifactDownload(state: FakeState, pathname: string): RouteResult | undefined {
  if (!pathname.startsWith(DOWNLOADS)) return undefined;
  const token = pathname.slice(DOWNLOADS.length).split('/')[0];
  const artifact = state.artifacts.find((a) => a.downloadToken === token && !a.expired);
  if (!artifact) return { status: 404, body: { message: 'The specified blob does not exist.' } };
  return { status: 200, body: artifact.zip, headers: { 'content-type': 'application/zip' } };
}

function artifactJson(ctx: RouteContext, artifact: ArtifactRecord): Record<string, unknown> {
  const run = ctx.state.workflowRuns.find((r) => r.id === artifact.runId);
  const url = ctx.links.repo(artifact.repository, `/actions/artifacts/${artifact.id}`);
  return {
    id: artifact.id,
    node_id: nodeId('Artifact', artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.zip.byteLength,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expired,
    created_at: artifact.createdAt,
    updated_at: artifact.createdAt,
    expires_at: artifact.expiresAt,
    digest: artifact.digest,
    workflow_run: run
      ? {
          id: run.id, repository_id: ctx.repository.id, head_repository_id: ctx.findRepository(run.headRepository)?.id ?? 0,
          head_branch: run.headBranch ?? '', head_sha: run.headSha,
        }
      : null,
  };
}

async function workflowRunJson(ctx: RouteContext, run: WorkflowRunRecord): Promise<Record<string, unknown>> {
  const { links } = ctx;
  const url = links.repo(run.repository, `/actions/runs/${run.id}`);
  const { git } = ctx.repository;
  const head = (await git.objectType(run.headSha)) === 'commit' ? await git.readCommit(run.headSha) : undefined;
  const pulls = ctx.state.pulls.filter((p) => p.repository === run.repository && run.pullRequests.includes(p.number));
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WorkflowRun', run.id),
    check_suite_id: run.id,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.path,
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    display_title: head?.message.split('\n')[0] ?? run.name,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url,
    html_url: links.html(`/${run.repository}/actions/runs/${run.id}`),
    pull_requests: pulls.map((p) => pullRequestMinimalJson(ctx, p)),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor: userJson(run.actor, links),
    triggering_actor: userJson(run.actor, links),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: links.repo(run.repository, `/check-suites/${run.id}`),
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: null,
    workflow_url: links.repo(run.repository, `/actions/workflows/${run.workflowId}`),
    head_commit: head
      ? {
          id: head.sha, tree_id: head.tree, message: head.message, timestamp: head.committer.date,
          author: { name: head.author.name, email: head.author.email }, committer: { name: head.committer.name, email: head.committer.email },
        }
      : null,
    repository: repositoryJson(ctx.repository, links),
    head_repository: repositoryJson(ctx.findRepository(run.headRepository) ?? unknownRepository(run.headRepository), links),
  };
}
