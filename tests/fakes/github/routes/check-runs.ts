/** Check runs: create and update (as the token's app), read one, list a ref's (latest per name by default). */
import { unprocessable } from '../errors.ts';
import { isoSeconds } from '../git-repo.ts';
import { pageResult, recordOf, type Route, type RouteContext, stringParam } from '../route.ts';
import type { CheckRunRecord } from '../state.ts';
import { nodeId, userJson } from '../user-json.ts';
import { pullRequestMinimalJson } from './pulls.ts';
import { resolveCommitish } from './refs.ts';

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  external_id?: string;
  output?: { title?: string; summary?: string; text?: string };
}

export const checkRunRoutes: Route[] = [
  {
    operationId: 'checks/create',
    permission: ['checks'],
    async handle(ctx) {
      const body = ctx.body as CheckRunBody & { name: string; head_sha: string };
      if ((await ctx.repository.git.objectType(body.head_sha)) !== 'commit') throw unprocessable(`No commit found for SHA: ${body.head_sha}`);
      const now = isoSeconds(new Date());
      const run: CheckRunRecord = {
        id: ctx.nextId(), repository: ctx.repository.fullName, name: body.name, headSha: body.head_sha, status: 'queued', conclusion: null,
        startedAt: now, completedAt: null, detailsUrl: null, externalId: null, output: { title: null, summary: null, text: null }, app: ctx.actor,
      };
      apply(run, body);
      ctx.state.checkRuns.push(run);
      return { status: 201, body: checkRunJson(ctx, run) };
    },
  },
  {
    operationId: 'checks/update',
    permission: ['checks'],
    handle(ctx) {
      const run = recordOf(ctx, ctx.state.checkRuns, 'check_run_id');
      apply(run, ctx.body as CheckRunBody);
      return { status: 200, body: checkRunJson(ctx, run) };
    },
  },
  {
    operationId: 'checks/get',
    permission: ['checks'],
    handle: (ctx) => ({ status: 200, body: checkRunJson(ctx, recordOf(ctx, ctx.state.checkRuns, 'check_run_id')) }),
  },
  {
    operationId: 'checks/list-for-ref',
    permission: ['checks'],
    async handle(ctx) {
      const sha = await resolveCommitish(ctx.repository.git, stringParam(ctx, 'ref'));
      if (!sha) throw unprocessable(`No commit found for SHA: ${stringParam(ctx, 'ref')}`);
      const { check_name: name, status, filter } = ctx.params;
      let runs = ctx.state.checkRuns.filter((r) => r.repository === ctx.repository.fullName && r.headSha === sha);
      // `latest` (the default) keeps the newest run of each name
      if (filter !== 'all') runs = runs.filter((r) => !runs.some((o) => o.name === r.name && o.id > r.id));
      runs = runs.filter((r) => (name === undefined || r.name === name) && (status === undefined || r.status === status));
      return pageResult(ctx, [...runs].reverse(), (r) => checkRunJson(ctx, r), 'check_runs');
    },
  },
];

/** GitHub's rules: `conclusion` completes the run, and a completed run needs a conclusion. */
function apply(run: CheckRunRecord, body: CheckRunBody): void {
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url;
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.started_at !== undefined) run.startedAt = body.started_at;
  if (body.output) run.output = { title: body.output.title ?? run.output.title, summary: body.output.summary ?? run.output.summary, text: body.output.text ?? run.output.text };
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  } else if (body.status !== undefined) {
    if (body.status === 'completed' && run.conclusion === null) {
      throw unprocessable('Invalid request.\n\nNo conclusion given for a completed check run.', [{ resource: 'CheckRun', field: 'conclusion', code: 'missing_field' }]);
    }
    run.status = body.status;
  }
  if (run.status === 'completed') run.completedAt = body.completed_at ?? run.completedAt ?? isoSeconds(new Date());
}

function checkRunJson(ctx: RouteContext, run: CheckRunRecord): Record<string, unknown> {
  const { links } = ctx;
  const pulls = ctx.state.pulls.filter((p) => p.repository === run.repository && p.head.sha === run.headSha);
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: run.externalId,
    url: links.repo(run.repository, `/check-runs/${run.id}`),
    html_url: links.html(`/${run.repository}/runs/${run.id}`),
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: 0, annotations_url: links.repo(run.repository, `/check-runs/${run.id}/annotations`) },
    name: run.name,
    check_suite: { id: run.id },
    app: appJson(ctx, run),
    pull_requests: pulls.map((p) => pullRequestMinimalJson(ctx, p)),
  };
}

/** The GitHub App behind the actor (for github-actions[bot]: the `github-actions` app). */
function appJson(ctx: RouteContext, run: CheckRunRecord): Record<string, unknown> {
  const slug = run.app.login.replace(/\[bot\]$/, '');
  return {
    id: run.app.id, slug, node_id: nodeId('App', run.app.id), owner: userJson({ login: 'github', id: 9919, type: 'Organization' }, ctx.links),
    name: slug, description: null, external_url: ctx.links.html(`/apps/${slug}`), html_url: ctx.links.html(`/apps/${slug}`),
    created_at: '2018-07-30T09:30:17Z', updated_at: '2018-07-30T09:30:17Z', permissions: {}, events: [],
  };
}
