import { describe, expect, it } from 'vitest';
import { UNKNOWN, evaluate } from './expression.ts';
import { edit, workflow, workflowFiles, workflowText } from './files.ts';
import type { Finding } from './policy.ts';
import { FORK_PULL_REQUEST, canRun, checkDeployWorkflow, checkTrainWorkflow, checkWorkflow } from './policy.ts';
import { readWorkflow } from './workflow.ts';

const rules = (findings: Finding[]) => findings.map((f) => f.rule);
const check = (file: string, text: string) => rules(checkWorkflow(readWorkflow(text, file)));
const train = workflowText('train.yml');
const reportFork = workflowText('report-fork.yml');
const deploy = workflowText('deploy.yml');

describe('the workflows meet the policy', () => {
  it.each(workflowFiles())('%s', (file) => {
    expect(checkWorkflow(workflow(file))).toEqual([]);
  });

  it('train.yml runs on every pull request, the merge queue and dispatches, with the required job', () => {
    expect(checkTrainWorkflow(workflow('train.yml'))).toEqual([]);
  });

  it('deploy.yml deploys every push to main, one at a time, in production', () => {
    expect(checkDeployWorkflow(workflow('deploy.yml'))).toEqual([]);
  });

  it("a fork's pull request runs the fork job and the required gates job alone; publish and the privileged jobs are skipped", () => {
    const runs = workflow('train.yml').jobs.filter((j) => canRun(j.if, FORK_PULL_REQUEST)).map((j) => j.id);
    expect(runs.sort()).toEqual(['fork', 'gates']);
  });

  it('report-fork.yml runs only for pull_request runs from forks', () => {
    const job = workflow('report-fork.yml').jobs[0]!;
    const run = (event: string, headRepo: string, conclusion = 'failure') =>
      evaluate(job.if!, { github: { repository: 'base/models', event: { workflow_run: { event, conclusion, head_repository: { full_name: headRepo } } } } });
    expect(run('pull_request', 'fork/models')).toBe(true);
    expect(run('pull_request', 'fork/models', 'cancelled')).toBe(false);
    expect(run('pull_request', 'base/models')).toBe(false);
    expect(run('workflow_dispatch', 'base/models')).toBe(false);
    expect(run('merge_group', 'base/models')).toBe(false);
  });
});

describe('each rule catches what it forbids', () => {
  it('no expression in a run: script', () => {
    expect(check('train.yml', edit(train, '        run: |\n', '        run: |\n          echo "${{ github.event.pull_request.title }}"\n'))).toContain('expression-in-run');
    expect(check('train.yml', edit(train, '        run: |\n', '        run: |\n          echo "${{ github.head_ref }}"\n'))).toContain('expression-in-run');
    expect(check('deploy.yml', edit(deploy, 'curl -fsS "$url/v2/health/ready"', 'curl -fsS "${{ vars.MLSHIP_SERVICE_URL }}/v2/health/ready"'))).toContain('expression-in-run');
  });

  it('every action pinned to a commit sha with a version comment', () => {
    expect(check('train.yml', edit(train, /actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v7'))).toContain('unpinned-action');
    expect(check('train.yml', edit(train, /actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@3d3c42e'))).toContain('unpinned-action');
    expect(check('train.yml', edit(train, /(actions\/checkout@[0-9a-f]{40}) # v7\.0\.1/, '$1'))).toContain('unpinned-action');
    expect(check('train.yml', edit(train, '- uses: actions/checkout', '- uses: docker://alpine:3\n      - uses: actions/checkout'))).toContain('unpinned-action');
  });

  it('no checkout keeps the token', () => {
    expect(check('deploy.yml', edit(deploy, 'persist-credentials: false', 'persist-credentials: true'))).toContain('checkout-credentials');
    expect(check('deploy.yml', edit(deploy, /\n {8}with:\n {10}persist-credentials: false/, ''))).toContain('checkout-credentials');
  });

  it('top-level permissions grant no write', () => {
    expect(check('train.yml', edit(train, /^permissions: \{\}$/m, 'permissions: write-all'))).toContain('top-level-permissions');
    expect(check('train.yml', edit(train, /^permissions: \{\}$/m, 'permissions:\n  contents: write'))).toContain('top-level-permissions');
    expect(check('train.yml', edit(train, /^permissions: \{\}\n/m, ''))).toContain('top-level-permissions');
  });

  it('every job declares its permissions', () => {
    expect(check('deploy.yml', edit(deploy, / {4}permissions:\n {6}contents: read\n {6}id-token: write # OIDC: the deploy role\n/, ''))).toContain('job-permissions');
  });

  it("a job that can run for a fork's pull request has no OIDC token, no write, no secrets, no AWS", () => {
    // The privileged job without its same-repository condition.
    const gatesForForks = edit(train, / {4}if: github\.event_name != 'pull_request' \|\| github\.event\.pull_request\.head\.repo\.full_name == github\.repository\n/, '');
    expect(checkWorkflow(readWorkflow(gatesForForks, 'train.yml')).map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/job "train" can run for a fork's pull request with id-token: write/), expect.stringMatching(/job "train", step "Assume the read-only training role" configures AWS/)]),
    );
    const fork = (to: string) => edit(train, '    permissions:\n      contents: read\n    outputs:\n', `    permissions:\n      contents: read\n${to}    outputs:\n`);
    expect(check('train.yml', fork('      id-token: write\n'))).toContain('fork-path');
    expect(check('train.yml', fork('      pull-requests: write\n'))).toContain('fork-path');
    expect(check('train.yml', fork('    env:\n      KEY: ${{ secrets.KEY }}\n'))).toContain('fork-path');
    const aws = '      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3\n        with:\n          role-to-assume: x\n          aws-region: y\n';
    expect(check('train.yml', edit(train, '      - name: Train the changed models (no store, no champions)\n', `${aws}      - name: Train the changed models (no store, no champions)\n`))).toContain('fork-path');
    // The required job reads the fork's results; it must not gain a permission either.
    expect(check('train.yml', edit(train, '    timeout-minutes: 5\n    permissions: {}\n', '    timeout-minutes: 5\n    permissions:\n      checks: write\n'))).toContain('fork-path');
    // A condition that only looks like the guard (|| lets a fork through) is caught too.
    const loose = edit(train, "if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository", "if: github.event.pull_request.head.repo.full_name == github.repository || github.event.pull_request.head.repo.fork");
    expect(check('train.yml', loose)).toContain('fork-path');
  });

  it('publish only for same-repository pull requests', () => {
    const anyRepo = edit(train, '      && github.event.pull_request.head.repo.full_name == github.repository\n', '');
    expect(check('train.yml', anyRepo)).toContain('publish-same-repository');
    expect(check('train.yml', anyRepo)).toContain('fork-path');
  });

  it('a workflow_run or pull_request_target workflow never checks out the pull request', () => {
    const headCheckout = edit(reportFork, '        with:\n          persist-credentials: false', '        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n          persist-credentials: false');
    expect(check('report-fork.yml', headCheckout)).toContain('privileged-checkout');
    const target = edit(edit(train, /^ {2}pull_request:$/m, '  pull_request_target:'), '          persist-credentials: false\n      - name: Assume', '          ref: ${{ github.event.pull_request.head.sha }}\n          persist-credentials: false\n      - name: Assume');
    expect(check('train.yml', target)).toContain('privileged-checkout');
    const fetch = edit(reportFork, '      - name: Gate and report', '      - env:\n          PR: ${{ github.event.workflow_run.head_branch }}\n        run: git fetch origin "refs/pull/$PR/head" && git checkout FETCH_HEAD\n      - name: Gate and report');
    expect(check('report-fork.yml', fetch)).toContain('privileged-checkout');
  });

  it('train.yml: no path filter, merge_group, workflow_dispatch, the required job', () => {
    const trainRules = (text: string) => rules(checkTrainWorkflow(readWorkflow(text, 'train.yml')));
    expect(trainRules(edit(train, /^ {2}pull_request:$/m, "  pull_request:\n    paths: ['models/**']"))).toContain('train-triggers');
    expect(trainRules(edit(train, /^ {2}merge_group:$/m, ''))).toContain('train-triggers');
    expect(trainRules(edit(train, /^ {2}workflow_dispatch:$/m, ''))).toContain('train-triggers');
    expect(trainRules(edit(train, 'name: mlship / gates', 'name: gates'))).toContain('train-required-job');
    // Skipped counts as passed for a required check: the required job must always run.
    expect(trainRules(edit(train, '    needs: [train, fork, publish]\n    if: always()\n', '    needs: [train, fork, publish]\n'))).toContain('train-required-job');
    expect(trainRules(edit(train, '    needs: [train, fork, publish]\n    if: always()\n', "    needs: [train, fork, publish]\n    if: github.event_name != 'pull_request'\n"))).toContain('train-required-job');
  });

  it('deploy.yml: pushes to main unfiltered, mlship-production never cancelled, production', () => {
    const deployRules = (text: string) => rules(checkDeployWorkflow(readWorkflow(text, 'deploy.yml')));
    expect(deployRules(edit(deploy, 'cancel-in-progress: false', 'cancel-in-progress: true'))).toContain('deploy-concurrency');
    expect(deployRules(edit(deploy, 'group: mlship-production', 'group: deploy-${{ github.ref }}'))).toContain('deploy-concurrency');
    expect(deployRules(edit(deploy, 'name: production', 'name: staging'))).toContain('deploy-environment');
    expect(deployRules(edit(deploy, 'branches: [main]', "branches: [main]\n    paths: ['models.lock.json']"))).toContain('deploy-triggers');
    expect(deployRules(edit(deploy, 'branches: [main]', 'branches: [release]'))).toContain('deploy-triggers');
  });
});

describe('the expression evaluator the fork checks rest on', () => {
  const ctx = FORK_PULL_REQUEST;
  it.each([
    ["github.event_name == 'pull_request'", true],
    ["github.event_name == 'PULL_REQUEST'", true], // GitHub compares strings ignoring case
    ['github.event.pull_request.head.repo.full_name == github.repository', false],
    ['github.event.pull_request.head.repo.full_name != github.repository', true],
    ["needs.gates.outputs.passed == 'true' && github.event.pull_request.head.repo.full_name == github.repository", false],
    ["needs.gates.outputs.passed == 'true' || github.event.pull_request.head.repo.full_name == github.repository", UNKNOWN],
    ['!cancelled() && github.event.pull_request.head.repo.full_name == github.repository', false],
    ["contains(fromJSON('[\"success\", \"failure\"]'), needs.gates.result)", UNKNOWN],
    ["contains(fromJSON('[\"success\", \"failure\"]'), 'failure')", true],
    ['${{ !(github.event.pull_request.head.repo.fork) }}', false],
    ["github.event_name != 'pull_request' || vars.X == 'y'", UNKNOWN],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(expression, ctx)).toBe(expected);
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(() => evaluate("github.event_name == 'x", ctx)).toThrow();
    expect(() => evaluate('(a', ctx)).toThrow();
  });
});
