/**
 * The `train` action: train the models a pull request changes, gate each against the champion
 * the base branch's lock pins, write the results folder, set the outputs and the job summary,
 * and fail the step when a gate failed or a model could not be trained.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { loadChampions } from '../../registry/champion.ts';
import type { Lock } from '../../registry/lock.ts';
import { emptyLock } from '../../registry/lock.ts';
import type { Artifact } from '../../training/artifact.ts';
import { describeError } from '../../training/errors.ts';
import { githubClient, repoRef } from '../lib/github/client.ts';
import { appendJobSummary } from '../lib/github/job-summary.ts';
import { pullRequestFiles, pullRequestFromEvent } from '../lib/github/pull-request.ts';
import { readEvent, runnerContext } from '../lib/github/runner.ts';
import { annotationsFor } from '../lib/pr/annotations.ts';
import { changedModels } from '../lib/pr/changed-models.ts';
import { readLockAt } from '../lib/pr/lock-commit.ts';
import { modelFolders } from '../lib/pr/model-folders.ts';
import { renderReport, summaryBody } from '../lib/pr/report-markdown.ts';
import { DEFAULT_RESULTS_DIR } from '../lib/pr/results.ts';
import type { Results } from '../lib/pr/results.ts';
import { storeFromInput } from '../lib/pr/store-access.ts';
import { trainChanges } from '../lib/pr/train-changes.ts';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<Results | undefined> {
  try {
    const runner = runnerContext(env, process.cwd());
    const token = core.getInput('token', { required: true });
    core.setSecret(token);
    const root = path.resolve(runner.workspace, core.getInput('working-directory') || '.');
    const out = path.resolve(root, core.getInput('results') || DEFAULT_RESULTS_DIR);
    const storeUri = core.getInput('store');

    const pr = pullRequestFromEvent(await readEvent(runner));
    const client = githubClient(token, runner.apiUrl);
    const repo = repoRef(runner.repository);
    const changes = changedModels(await pullRequestFiles(client, repo, pr.number), await modelFolders(root));
    // with nothing to train or remove, it passes at once: not even the base lock is read
    const nothing = changes.train.length === 0 && changes.removed.length === 0;
    const baseLock = nothing ? emptyLock() : (await readLockAt(client, repo, pr.base.sha)).lock;
    const champions = await championsFor(changes.train, baseLock, { fork: pr.fork, storeUri, cwd: root, env });
    const results = await trainChanges({
      root, changes, baseLock, champions, out,
      commit: pr.head.sha, pullRequest: pr.number,
      head: { sha: pr.head.sha, repository: pr.head.repository },
      base: { sha: pr.base.sha, ref: pr.base.ref },
    });

    core.setOutput('models', JSON.stringify(results.models.map((m) => m.name)));
    core.setOutput('removed', JSON.stringify(results.removed.map((m) => m.name)));
    core.setOutput('passed', String(results.passed));
    core.setOutput('results', out);
    core.setOutput('fork', String(pr.fork));
    await appendJobSummary(runner.stepSummary, summaryBody(renderReport(results, { fork: pr.fork })));

    if (results.models.length === 0) core.info(results.removed.length ? `no model to train; removed: ${results.removed.map((r) => r.name).join(', ')}` : 'no model changed: nothing to train');
    for (const a of annotationsFor(results)) core.error(a.message, { title: a.title, file: a.file, startLine: a.startLine });
    if (!results.passed) core.setFailed(`mlship: ${results.models.filter((m) => m.status !== 'passed').map((m) => m.name).join(', ')} did not pass`);
    return results;
  } catch (err) {
    core.setFailed(describeError(err));
    return undefined;
  }
}

/**
 * The champions the base lock pins for the models to train, from the store; undefined when they
 * cannot be read here: a fork's run holds no credentials (the trusted report reads them later).
 */
async function championsFor(names: string[], baseLock: Lock, options: { fork: boolean; storeUri: string; cwd: string; env: NodeJS.ProcessEnv }): Promise<Map<string, Artifact> | undefined> {
  if (names.length === 0) return new Map();
  if (options.fork) {
    core.info('a fork’s pull request: the champions are not read here; the trusted workflow_run report gates it');
    return undefined;
  }
  if (!options.storeUri) {
    core.warning('no store input: the candidates are gated without their champions');
    return undefined;
  }
  return loadChampions(baseLock, names, storeFromInput(options.storeUri, { cwd: options.cwd, env: options.env }));
}
