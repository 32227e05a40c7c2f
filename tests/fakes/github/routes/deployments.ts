/**
 * Deployments and their statuses, with GitHub's two gates on creation: `auto_merge` (the default
 * branch is merged into an older ref first, answering 202 instead of deploying) and
 * `required_contexts` (every check of the commit, by default, must have succeeded, else 409).
 */
import { conflict, GitHubError, unprocessable } from '../errors.ts';
import { isoSeconds } from '../git-repo.ts';
import { pageResult, recordOf, type Route, type RouteContext, type RouteResult } from '../route.ts';
import type { DeploymentRecord, DeploymentStatusRecord } from '../state.ts';
import { gitIdentity, nodeId, userJson } from '../user-json.ts';
import { resolveCommitish } from './refs.ts';

interface CreateDeploymentBody {
  ref: string;
  task: string;
  auto_merge: boolean;
  required_contexts?: string[];
  payload?: Record<string, unknown> | string;
  environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment?: boolean;
}

interface CreateStatusBody {
  state: string;
  target_url?: string;
  log_url?: string;
  description?: string;
  environment?: string;
  environment_url?: string;
  auto_inactive?: boolean;
}

const PASSING = new Set(['success', 'neutral', 'skipped']);

export const deploymentRoutes: Route[] = [
  {
    operationId: 'repos/create-deployment',
    permission: ['deployments'],
    async handle(ctx) {
      const body = ctx.body as CreateDeploymentBody;
      const sha = await resolveCommitish(ctx.repository.git, body.ref);
      if (!sha) throw unprocessable(`No ref found for: ${body.ref}`);
      if (body.auto_merge) {
        const merged = await autoMerge(ctx, body.ref, sha);
        if (merged) return merged;
      }
      checkContexts(ctx, body, sha);
      const now = isoSeconds(new Date());
      const deployment: DeploymentRecord = {
        id: ctx.nextId(), repository: ctx.repository.fullName, ref: body.ref, sha, task: body.task, environment: body.environment,
        originalEnvironment: body.environment, payload: body.payload ?? {}, description: body.description,
        transientEnvironment: body.transient_environment, productionEnvironment: body.production_environment ?? body.environment === 'production',
        creator: ctx.actor, createdAt: now, updatedAt: now,
      };
      ctx.state.deployments.push(deployment);
      return { status: 201, body: deploymentJson(ctx, deployment) };
    },
  },
  {
    operationId: 'repos/list-deployments',
    permission: ['deployments'],
    handle(ctx) {
      // each filter's documented default, "none", means no filter
      const wanted = (name: string) => (ctx.params[name] === 'none' || ctx.params[name] === null ? undefined : ctx.params[name]);
      const filters = { sha: wanted('sha'), ref: wanted('ref'), task: wanted('task'), environment: wanted('environment') };
      const found = ctx.state.deployments.filter(
        (d) => d.repository === ctx.repository.fullName && Object.entries(filters).every(([key, value]) => value === undefined || d[key as keyof typeof filters] === value),
      );
      return pageResult(ctx, [...found].reverse(), (d) => deploymentJson(ctx, d));
    },
  },
  {
    operationId: 'repos/get-deployment',
    permission: ['deployments'],
    handle: (ctx) => ({ status: 200, body: deploymentJson(ctx, recordOf(ctx, ctx.state.deployments, 'deployment_id')) }),
  },
  {
    operationId: 'repos/create-deployment-status',
    permission: ['deployments'],
    handle(ctx) {
      const deployment = recordOf(ctx, ctx.state.deployments, 'deployment_id');
      const body = ctx.body as CreateStatusBody;
      const now = isoSeconds(new Date());
      if (body.environment !== undefined) deployment.environment = body.environment;
      const status = addStatus(ctx, deployment, {
        state: body.state, description: body.description ?? '', environmentUrl: body.environment_url ?? '',
        logUrl: body.log_url ?? body.target_url ?? '', targetUrl: body.target_url ?? body.log_url ?? '', createdAt: now,
      });
      // as documented: earlier successful deployments to the same non-production, non-transient environment become inactive
      if (body.state === 'success' && (body.auto_inactive ?? true)) {
        for (const earlier of ctx.state.deployments) {
          if (earlier === deployment || earlier.repository !== deployment.repository || earlier.environment !== deployment.environment) continue;
          if (earlier.productionEnvironment || earlier.transientEnvironment || latestStatus(ctx, earlier.id)?.state !== 'success') continue;
          addStatus(ctx, earlier, { state: 'inactive', description: '', environmentUrl: '', logUrl: '', targetUrl: '', createdAt: now });
        }
      }
      return { status: 201, body: statusJson(ctx, status) };
    },
  },
  {
    operationId: 'repos/list-deployment-statuses',
    permission: ['deployments'],
    handle(ctx) {
      const deployment = recordOf(ctx, ctx.state.deployments, 'deployment_id');
      const statuses = ctx.state.deploymentStatuses.filter((s) => s.deploymentId === deployment.id);
      return pageResult(ctx, [...statuses].reverse(), (s) => statusJson(ctx, s));
    },
  },
];

/**
 * GitHub merges the default branch into a deployed branch that lacks it: a 202 with the merge
 * made (and no deployment), or 409 when the merge conflicts.
 */
async function autoMerge(ctx: RouteContext, ref: string, sha: string): Promise<RouteResult | undefined> {
  const { git, defaultBranch } = ctx.repository;
  const branchRef = `refs/heads/${ref.replace(/^refs\/heads\//, '')}`;
  const defaultTip = await git.refTarget(`refs/heads/${defaultBranch}`);
  if (!defaultTip || (await git.refTarget(branchRef)) !== sha || (await git.isAncestor(defaultTip, sha))) return undefined;
  const branch = branchRef.slice('refs/heads/'.length);
  const tree = await git.mergeTree(sha, defaultTip);
  if (!tree) throw conflict(`Conflict merging ${defaultBranch} into ${branch}.`);
  const signature = { ...gitIdentity(ctx.actor), date: isoSeconds(new Date()) };
  const message = `Auto-merged ${defaultBranch} into ${branch} on deployment.`;
  const merge = await git.commitTree({ tree, parents: [sha, defaultTip], message, author: signature, committer: signature });
  if (!(await git.compareAndSwapRef(branchRef, merge, sha))) throw conflict(`Conflict merging ${defaultBranch} into ${branch}.`);
  return { status: 202, body: { message } };
}

/** Every required context (by default every check run of the commit) must have passed. */
function checkContexts(ctx: RouteContext, body: CreateDeploymentBody, sha: string): void {
  const runs = ctx.state.checkRuns.filter((r) => r.repository === ctx.repository.fullName && r.headSha === sha);
  const latest = (name: string) => runs.filter((r) => r.name === name).at(-1);
  const names = body.required_contexts ?? [...new Set(runs.map((r) => r.name))];
  const failing = names
    .map((name) => ({ context: name, state: latest(name)?.conclusion ?? latest(name)?.status ?? 'missing' }))
    .filter((c) => !PASSING.has(c.state));
  if (failing.length === 0) return;
  throw new GitHubError(409, `Conflict: Commit status checks failed for ${body.ref}.`, {
    errors: [{ resource: 'Deployment', field: 'required_contexts', code: 'invalid', value: failing }],
  });
}

function addStatus(
  ctx: RouteContext,
  deployment: DeploymentRecord,
  fields: Pick<DeploymentStatusRecord, 'state' | 'description' | 'environmentUrl' | 'logUrl' | 'targetUrl' | 'createdAt'>,
): DeploymentStatusRecord {
  const status: DeploymentStatusRecord = {
    id: ctx.nextId(), repository: deployment.repository, deploymentId: deployment.id, environment: deployment.environment,
    creator: ctx.actor, updatedAt: fields.createdAt, ...fields,
  };
  ctx.state.deploymentStatuses.push(status);
  deployment.updatedAt = fields.createdAt;
  return status;
}

function latestStatus(ctx: RouteContext, deploymentId: number): DeploymentStatusRecord | undefined {
  return ctx.state.deploymentStatuses.filter((s) => s.deploymentId === deploymentId).at(-1);
}

function deploymentJson(ctx: RouteContext, d: DeploymentRecord): Record<string, unknown> {
  const url = ctx.links.repo(d.repository, `/deployments/${d.id}`);
  return {
    url,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.originalEnvironment,
    environment: d.environment,
    description: d.description,
    creator: userJson(d.creator, ctx.links),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url: ctx.links.repo(d.repository),
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
    performed_via_github_app: null,
  };
}

function statusJson(ctx: RouteContext, s: DeploymentStatusRecord): Record<string, unknown> {
  const deploymentUrl = ctx.links.repo(s.repository, `/deployments/${s.deploymentId}`);
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: userJson(s.creator, ctx.links),
    description: s.description,
    environment: s.environment,
    target_url: s.targetUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    deployment_url: deploymentUrl,
    repository_url: ctx.links.repo(s.repository),
    environment_url: s.environmentUrl,
    log_url: s.logUrl,
    performed_via_github_app: null,
  };
}
