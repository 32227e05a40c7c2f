/**
 * The security policy every workflow of mlship (and of a repository `mlship init` scaffolds) must
 * meet, as checks over the parsed YAML. Each rule returns findings; none means the rule holds.
 * tests/workflows/policy.test.ts runs them on the real workflows and on broken ones.
 */
import type { Value } from './expression.ts';
import { evaluate, truthy } from './expression.ts';
import type { Job, Step, Workflow } from './workflow.ts';
import { actionOf, effectivePermissions, usesMlshipAction, writeScopes } from './workflow.ts';

export interface Finding {
  readonly rule: string;
  readonly message: string;
}

export interface PolicyOptions {
  /** `owner/repo` of mlship when its actions are used remotely: pinned by commit, but with no version tag to name. */
  readonly mlshipRepository?: string;
}

/** What a fork's pull request looks like to an `if:`; everything else is unknown. */
export const FORK_PULL_REQUEST: Record<string, Value> = {
  github: {
    event_name: 'pull_request',
    repository: 'base-owner/models',
    event: { pull_request: { head: { repo: { full_name: 'fork-owner/models', fork: true } } } },
  },
};

/** Whether a condition can be true (no `if:` always can). */
export function canRun(condition: string | undefined, context: Record<string, Value>): boolean {
  return condition === undefined || truthy(evaluate(condition, context)) !== false;
}

const PRIVILEGED_EVENTS = ['pull_request_target', 'workflow_run'];
// What names the pull request's code in a privileged workflow (its head, its merge ref).
const PR_CODE = /github\.event\.pull_request|github\.event\.workflow_run\.head|github\.head_ref|refs\/pull\//;
const SHA = /^[0-9a-f]{40}$/;
const CHECKOUT = 'actions/checkout';
const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials';

type Rule = (workflow: Workflow, options: PolicyOptions) => Finding[];

const steps = (workflow: Workflow) => workflow.jobs.flatMap((job) => job.steps.map((step) => ({ job, step })));
const where = (job: Job, step?: Step) => (step ? `job "${job.id}", step "${step.name}"` : `job "${job.id}"`);

/** pull_request_target and workflow_run run with the base repository's token: never on the PR's code. */
const noPrivilegedCheckoutOfPrCode: Rule = (workflow) => {
  if (!PRIVILEGED_EVENTS.some((e) => e in workflow.on)) return [];
  const findings: Finding[] = [];
  for (const { job, step } of steps(workflow)) {
    const checkout = actionOf(step.uses) === CHECKOUT && PR_CODE.test(`${step.with.ref ?? ''} ${step.with.repository ?? ''}`);
    const fetch = step.run !== undefined && /(git\s+(fetch|checkout|pull)|gh\s+pr\s+checkout)/.test(step.run) && PR_CODE.test(JSON.stringify(step.env) + step.run);
    if (checkout || fetch) findings.push({ rule: 'privileged-checkout', message: `${where(job, step)} checks out the pull request's code in a ${Object.keys(workflow.on).join('/')} workflow` });
  }
  return findings;
};

/** No expression inside a `run:` script: text from a PR (or a step output derived from it) would be shell code. */
const noExpressionInRun: Rule = (workflow) =>
  steps(workflow).flatMap(({ job, step }) => {
    const script = step.run ?? (actionOf(step.uses) === 'actions/github-script' ? String(step.with.script ?? '') : undefined);
    const found = script?.match(/\$\{\{[\s\S]*?\}\}/g) ?? [];
    return found.map((e) => ({ rule: 'expression-in-run', message: `${where(job, step)} expands ${e} inside its script: pass it through env: and quote it` }));
  });

/** Every action from elsewhere is pinned to a full commit sha (a tag can be moved), named by a version comment. */
const pinnedActions: Rule = (workflow, options) => {
  const findings: Finding[] = [];
  workflow.text.split('\n').forEach((line, n) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?\s*(?:#\s*(.*))?$/.exec(line);
    if (!m || m[1]!.startsWith('./')) return;
    const [, uses, comment] = m as unknown as [string, string, string | undefined];
    const at = `${workflow.file}:${n + 1}`;
    if (uses.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(uses)) findings.push({ rule: 'unpinned-action', message: `${at}: ${uses} is not pinned by digest` });
      return;
    }
    const [action, ref] = uses.split('@');
    if (!ref || !SHA.test(ref)) findings.push({ rule: 'unpinned-action', message: `${at}: ${uses} is not pinned to a full commit sha` });
    const ours = options.mlshipRepository && action!.toLowerCase().startsWith(`${options.mlshipRepository.toLowerCase()}/`);
    if (!ours && !/^v\d+(\.\d+)*\b/.test(comment ?? '')) findings.push({ rule: 'unpinned-action', message: `${at}: ${uses} has no "# vX.Y.Z" comment naming the version` });
  });
  return findings;
};

/** No checkout leaves the token in .git/config, where every later step (the training of a PR's code) could read it. */
const checkoutKeepsNoToken: Rule = (workflow) =>
  steps(workflow)
    .filter(({ step }) => actionOf(step.uses) === CHECKOUT && step.with['persist-credentials'] !== false)
    .map(({ job, step }) => ({ rule: 'checkout-credentials', message: `${where(job, step)} persists the token in the checkout: set persist-credentials: false` }));

/** The workflow's own permissions grant nothing writable, so no job gets write by default. */
const readOnlyTopLevel: Rule = (workflow) => {
  if (workflow.permissions === undefined) return [{ rule: 'top-level-permissions', message: `${workflow.file} sets no top-level permissions (the repository default may be write): set permissions: {}` }];
  const writes = writeScopes(workflow.permissions);
  return writes.length ? [{ rule: 'top-level-permissions', message: `${workflow.file}'s top-level permissions grant write on ${writes.join(', ')}` }] : [];
};

/** Every job says which permissions it uses. */
const explicitJobPermissions: Rule = (workflow) =>
  workflow.jobs.filter((job) => job.permissions === undefined).map((job) => ({ rule: 'job-permissions', message: `${where(job)} does not declare its permissions` }));

/** A job that can run for a fork's pull request runs the fork's code: no write, no OIDC, no secrets, no AWS. */
const forkPathUnprivileged: Rule = (workflow) => {
  // pull_request_target runs for forks too, with the base repository's token: the same limits hold.
  if (!('pull_request' in workflow.on) && !('pull_request_target' in workflow.on)) return [];
  const findings: Finding[] = [];
  for (const job of workflow.jobs.filter((j) => canRun(j.if, FORK_PULL_REQUEST))) {
    const writes = writeScopes(effectivePermissions(workflow, job));
    if (writes.includes('id-token')) findings.push({ rule: 'fork-path', message: `${where(job)} can run for a fork's pull request with id-token: write` });
    const others = writes.filter((w) => w !== 'id-token');
    if (others.length) findings.push({ rule: 'fork-path', message: `${where(job)} can run for a fork's pull request with write on ${others.join(', ')}` });
    if (/\bsecrets\./.test(JSON.stringify(job.raw)) || 'secrets' in job.raw) findings.push({ rule: 'fork-path', message: `${where(job)} can run for a fork's pull request and uses secrets` });
    for (const step of job.steps.filter((s) => actionOf(s.uses) === AWS_CREDENTIALS && canRun(s.if, FORK_PULL_REQUEST))) {
      findings.push({ rule: 'fork-path', message: `${where(job, step)} configures AWS credentials for a fork's pull request` });
    }
  }
  return findings;
};

/** Publishing writes to the store and the branch: same-repository pull requests only. */
const publishSameRepositoryOnly: Rule = (workflow) =>
  steps(workflow)
    .filter(() => 'pull_request' in workflow.on || 'pull_request_target' in workflow.on)
    .filter(({ job, step }) => usesMlshipAction(step, 'publish') && canRun(job.if, FORK_PULL_REQUEST) && canRun(step.if, FORK_PULL_REQUEST))
    .map(({ job, step }) => ({ rule: 'publish-same-repository', message: `${where(job, step)} can publish for a fork's pull request` }));

export const RULES: Record<string, Rule> = {
  'privileged-checkout': noPrivilegedCheckoutOfPrCode,
  'expression-in-run': noExpressionInRun,
  'unpinned-action': pinnedActions,
  'checkout-credentials': checkoutKeepsNoToken,
  'top-level-permissions': readOnlyTopLevel,
  'job-permissions': explicitJobPermissions,
  'fork-path': forkPathUnprivileged,
  'publish-same-repository': publishSameRepositoryOnly,
};

export function checkWorkflow(workflow: Workflow, options: PolicyOptions = {}): Finding[] {
  return Object.values(RULES).flatMap((rule) => rule(workflow, options));
}

// ---- the rules of particular workflows ------------------------------------------------------

const pathFiltered = (config: Record<string, unknown>) => 'paths' in config || 'paths-ignore' in config;

const REQUIRED_JOB = 'mlship / gates';

const SAME_REPOSITORY_PULL_REQUEST: Record<string, Value> = {
  github: { event_name: 'pull_request', repository: 'base-owner/models', event: { pull_request: { head: { repo: { full_name: 'base-owner/models', fork: false } } } } },
};

/** Whether a job runs whatever happened before it (an implicit success() can skip it). */
function alwaysRuns(job: Job): boolean {
  if (job.if === undefined) return job.raw.needs === undefined;
  return [FORK_PULL_REQUEST, SAME_REPOSITORY_PULL_REQUEST].every((context) => truthy(evaluate(job.if!, context)) === true);
}

/** train.yml: a required check on every pull request, the merge queue, and dispatches for the lock commit. */
export function checkTrainWorkflow(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  const pr = workflow.on.pull_request;
  if (!pr) findings.push({ rule: 'train-triggers', message: `${workflow.file} does not run on pull_request` });
  else if (pathFiltered(pr)) findings.push({ rule: 'train-triggers', message: `${workflow.file} filters pull_request by path: a required check would stay pending` });
  if (!workflow.on.merge_group) findings.push({ rule: 'train-triggers', message: `${workflow.file} does not run on merge_group` });
  if (!workflow.on.workflow_dispatch) findings.push({ rule: 'train-triggers', message: `${workflow.file} cannot be dispatched on the lock commit (workflow_dispatch)` });
  const required = workflow.jobs.find((j) => j.name === REQUIRED_JOB);
  if (!required) findings.push({ rule: 'train-required-job', message: `${workflow.file} has no job named "${REQUIRED_JOB}"` });
  // A skipped job reports success to branch protection, and a job with needs is skipped when one
  // of them was (one of the two training jobs always is): the required job must always run.
  else if (!alwaysRuns(required)) findings.push({ rule: 'train-required-job', message: `${workflow.file}: "${REQUIRED_JOB}" can be skipped, which counts as passed: give it if: always()` });
  return findings;
}

/** deploy.yml: every push to main, one rollout at a time never cancelled, in the production environment. */
export function checkDeployWorkflow(workflow: Workflow): Finding[] {
  const findings: Finding[] = [];
  const push = workflow.on.push;
  const branches = push?.branches;
  if (!push || !Array.isArray(branches) || !branches.includes('main')) findings.push({ rule: 'deploy-triggers', message: `${workflow.file} does not run on pushes to main` });
  else if (pathFiltered(push)) findings.push({ rule: 'deploy-triggers', message: `${workflow.file} filters pushes by path` });
  const concurrency = workflow.concurrency as { group?: unknown; 'cancel-in-progress'?: unknown } | undefined;
  if (concurrency?.group !== 'mlship-production' || concurrency['cancel-in-progress'] !== false) {
    findings.push({ rule: 'deploy-concurrency', message: `${workflow.file} needs concurrency { group: mlship-production, cancel-in-progress: false }` });
  }
  const environments = workflow.jobs.map((j) => (typeof j.environment === 'string' ? j.environment : (j.environment as { name?: unknown } | undefined)?.name));
  if (!environments.includes('production')) findings.push({ rule: 'deploy-environment', message: `${workflow.file} has no job in the production environment` });
  return findings;
}
