/**
 * The `report` action: one sticky pull-request comment, the job summary, and the required check
 * run. Two modes:
 * - same repository (input `results`): render the train job's results (with publish's outputs);
 * - a fork's pull request, from the trusted `workflow_run` workflow (input `run-id`): read the
 *   untrusted run's upload as data, train the pull request's model files again with this code
 *   against the champions, and report that. Nothing is published in this mode.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { describeError } from '../../training/errors.ts';
import type { GitHubClient, RepoRef } from '../lib/github/client.ts';
import { githubClient, repoRef } from '../lib/github/client.ts';
import { appendJobSummary } from '../lib/github/job-summary.ts';
import { pullRequestFromEvent } from '../lib/github/pull-request.ts';
import type { RunnerContext } from '../lib/github/runner.ts';
import { RunnerError, readEvent, runUrl, runnerContext } from '../lib/github/runner.ts';
import { compareWithUpload, forkRunPullRequest, retrainPullRequest } from '../lib/pr/fork-report.ts';
import { downloadUpload, readUpload } from '../lib/pr/fork-upload.ts';
import { parsePublished } from '../lib/pr/published.ts';
import { REPORT_MARKER, commentBody, renderReport, summaryBody } from '../lib/pr/report-markdown.ts';
import type { Results } from '../lib/pr/results.ts';
import { DEFAULT_RESULTS_DIR, ResultsError, readResults, writeResults } from '../lib/pr/results.ts';
import { upsertStickyComment } from '../lib/pr/sticky-comment.ts';
import { storeFromInput } from '../lib/pr/store-access.ts';

export const DEFAULT_CHECK_NAME = 'mlship / report';
export const DEFAULT_UPLOAD_NAME = 'mlship-results';
export const DEFAULT_BOT_LOGIN = 'github-actions[bot]';

export interface ReportRunResult {
  commentId: number;
  passed: boolean;
  results: Results;
}

interface Reported {
  results: Results;
  markdown: string;
  issueNumber: number;
  /** The commit the check run goes on. */
  checkSha: string;
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<ReportRunResult | undefined> {
  // where a failure is reported when the report itself cannot be made: a required check must not stay pending
  let onFailure: ((message: string) => Promise<unknown>) | undefined;
  try {
    const runner = runnerContext(env, process.cwd());
    const token = core.getInput('token', { required: true });
    core.setSecret(token);
    const client = githubClient(token, runner.apiUrl);
    const repo = repoRef(runner.repository);
    const runId = core.getInput('run-id');
    const checkName = core.getInput('check-name');
    const event = await readEvent(runner);
    const headSha = eventHead(event);
    if (checkName && headSha) {
      onFailure = (message) => client.rest.checks.create({ ...repo, name: checkName, head_sha: headSha, status: 'completed', conclusion: 'failure', output: { title: 'mlship could not report', summary: message.slice(0, 60000) } });
    }
    const reported = runId ? await forkMode(client, repo, runner, env, runId) : await sameRepositoryMode(runner, event);

    const comment = await upsertStickyComment(client, {
      repo, issueNumber: reported.issueNumber, body: commentBody(reported.markdown, runUrl(runner)), marker: REPORT_MARKER,
      author: core.getInput('bot-login') || DEFAULT_BOT_LOGIN,
    });
    core.info(`report comment ${comment.action}: ${comment.url}`);
    await appendJobSummary(runner.stepSummary, summaryBody(reported.markdown));
    if (checkName) await gateCheck(client, repo, checkName, reported);

    core.setOutput('comment-id', String(comment.id));
    core.setOutput('passed', String(reported.results.passed));
    core.setOutput('models', JSON.stringify(reported.results.models.map((m) => m.name)));
    if (runId && !reported.results.passed) core.setFailed('mlship: the pull request’s models did not pass their gates');
    return { commentId: comment.id, passed: reported.results.passed, results: reported.results };
  } catch (err) {
    core.setFailed(describeError(err));
    await onFailure?.(describeError(err)).catch((e: unknown) => core.warning(`the failed check run could not be created either: ${describeError(e)}`));
    return undefined;
  }
}

/** The head commit the event is about: a `workflow_run`'s run, or a `pull_request`'s head. */
function eventHead(payload: unknown): string | undefined {
  const event = payload as { workflow_run?: { head_sha?: unknown }; pull_request?: { head?: { sha?: unknown } } } | null;
  const sha = event?.workflow_run?.head_sha ?? event?.pull_request?.head?.sha;
  return typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
}

async function sameRepositoryMode(runner: RunnerContext, event: unknown): Promise<Reported> {
  const pr = pullRequestFromEvent(event);
  const root = path.resolve(runner.workspace, core.getInput('working-directory') || '.');
  const results = await readResults(path.resolve(root, core.getInput('results') || DEFAULT_RESULTS_DIR));
  if (results.pullRequest !== null && results.pullRequest !== pr.number) throw new ResultsError(`the results are of pull request #${results.pullRequest}, not #${pr.number}`);
  const published = new Map(parsePublished(core.getInput('published')).map((p) => [p.name, p.status]));
  const lockCommit = core.getInput('lock-commit') || null;
  return {
    results,
    markdown: renderReport(results, { fork: pr.fork, published, lockCommit }),
    issueNumber: pr.number,
    // the lock commit is the branch's head now, with the same models: the check belongs there
    checkSha: lockCommit ?? pr.head.sha,
  };
}

async function forkMode(client: GitHubClient, repo: RepoRef, runner: RunnerContext, env: NodeJS.ProcessEnv, runIdInput: string): Promise<Reported> {
  const runId = Number(runIdInput);
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new RunnerError(`run-id must be a workflow run's id, got "${runIdInput.slice(0, 40)}"`, { field: 'run-id' });
  const upload = readUpload(await downloadUpload(client, repo, runId, core.getInput('artifact-name') || DEFAULT_UPLOAD_NAME));
  const { pr, headSha } = await forkRunPullRequest(client, repo, runId, upload.results.pullRequest);
  const storeUri = core.getInput('store');
  const out = core.getInput('results') ? path.resolve(runner.workspace, core.getInput('results')) : await mkdtemp(path.join(tmpdir(), 'mlship-trusted-'));
  const trusted = await retrainPullRequest(client, repo, pr, { out, store: storeUri ? storeFromInput(storeUri, { cwd: runner.workspace, env }) : undefined });
  const results = compareWithUpload(trusted, upload);
  await writeResults(out, results);
  return { results, markdown: renderReport(results, { fork: pr.fork }), issueNumber: pr.number, checkSha: headSha };
}

/** The check run a branch protection rule can require: success only when every gate passed. */
async function gateCheck(client: GitHubClient, repo: RepoRef, name: string, reported: Reported): Promise<void> {
  const { results } = reported;
  const failed = results.models.filter((m) => m.status !== 'passed').map((m) => m.name);
  await client.rest.checks.create({
    ...repo,
    name,
    head_sha: reported.checkSha,
    status: 'completed',
    conclusion: results.passed ? 'success' : 'failure',
    output: {
      title: results.passed ? (results.models.length ? `${results.models.length} model(s) passed their gates` : 'no model changed') : `${failed.join(', ')} did not pass`,
      summary: summaryBody(reported.markdown).slice(0, 65000),
    },
  });
}
