/**
 * The `publish` action: put the passing candidates of a same-repository pull request in the
 * store, then commit the updated `models.lock.json` to the pull request's head branch through
 * the API (one bot commit naming the models and versions, none when the lock is current).
 * Forks are refused; so is a run whose models did not all pass: it publishes nothing.
 */
import path from 'node:path';
import * as core from '@actions/core';
import type { Lock } from '../../registry/lock.ts';
import { pinEntry, unpinEntry } from '../../registry/lock.ts';
import type { Published } from '../../registry/publish.ts';
import { isFailure, publishArtifacts } from '../../registry/publish.ts';
import { objectPath } from '../../registry/store/index.ts';
import { describeError } from '../../training/errors.ts';
import { githubClient, repoRef } from '../lib/github/client.ts';
import { appendJobSummary } from '../lib/github/job-summary.ts';
import { pullRequestFromEvent } from '../lib/github/pull-request.ts';
import { readEvent, runnerContext } from '../lib/github/runner.ts';
import { commitLock } from '../lib/pr/lock-commit.ts';
import type { PublishedList } from '../lib/pr/published.ts';
import { PublishError } from '../lib/pr/published.ts';
import { DEFAULT_RESULTS_DIR, isTrained, readArtifactBytes, readResults } from '../lib/pr/results.ts';
import { storeFromInput } from '../lib/pr/store-access.ts';

export interface PublishRunResult {
  commit: string | null;
  published: PublishedList;
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<PublishRunResult | undefined> {
  try {
    const runner = runnerContext(env, process.cwd());
    const token = core.getInput('token', { required: true });
    core.setSecret(token);
    const root = path.resolve(runner.workspace, core.getInput('working-directory') || '.');
    const dir = path.resolve(root, core.getInput('results') || DEFAULT_RESULTS_DIR);
    const pr = pullRequestFromEvent(await readEvent(runner));
    if (pr.fork) throw new PublishError(`the pull request comes from the fork ${pr.head.repository}: forks are never published`);
    const storeUri = core.getInput('store', { required: true });
    const results = await readResults(dir);
    if (results.head.repository !== null && results.head.repository !== pr.head.repository) {
      throw new PublishError(`the results are of ${results.head.repository}, not of this pull request's ${pr.head.repository}`, { file: dir });
    }
    const none = () => {
      core.setOutput('commit', '');
      core.setOutput('published', '[]');
      return { commit: null, published: [] };
    };
    if (!results.passed) {
      core.warning('not every model passed its gates: nothing is published');
      return none();
    }
    const trained = results.models.filter(isTrained).filter((m) => m.status === 'passed');
    if (trained.length === 0 && results.removed.length === 0) {
      core.info('no model changed: nothing to publish');
      return none();
    }

    const store = storeFromInput(storeUri, { cwd: root, env });
    const commit = results.head.sha ?? pr.head.sha;
    const inputs = await Promise.all(trained.map(async (m) => ({ bytes: await readArtifactBytes(dir, m), source: `${m.name}/model.json`, commit })));
    const report = await publishArtifacts(inputs, { store });
    const failures = report.outcomes.filter(isFailure);
    if (failures.length) throw new PublishError(`the store refused: ${failures.map((f) => f.error).join('; ')}`);
    const published: PublishedList = report.outcomes.filter((o): o is Published => !isFailure(o)).map((o) => ({
      name: o.name, version: o.version, sha256: o.sha256, status: o.status, key: objectPath(o.name, o.version),
    }));

    const change = (lock: Lock): Lock => {
      let next = lock;
      for (const p of published) next = pinEntry(next, p.name, report.lock.models[p.name]!);
      for (const r of results.removed) next = unpinEntry(next, r.name);
      return next;
    };
    const client = githubClient(token, runner.apiUrl);
    const locked = await commitLock(client, { repo: repoRef(runner.repository), branch: pr.head.ref, headRepository: pr.head.repository, change });

    core.setOutput('commit', locked.commit ?? '');
    core.setOutput('published', JSON.stringify(published));
    const lines = [
      '## mlship publish',
      ...published.map((p) => `- \`${p.name}\` \`${p.version}\`: ${p.status === 'published' ? 'published' : 'already in the store'} at \`${p.key}\``),
      ...results.removed.map((r) => `- \`${r.name}\`: unpinned (its folder was deleted)`),
      locked.commit ? `\nThe lock was committed to the branch as ${locked.commit} (${locked.message?.split('\n')[0]}).` : '\nThe lock on the branch is already current: no commit.',
    ];
    await appendJobSummary(runner.stepSummary, lines.join('\n'));
    core.info(locked.commit ? `committed ${locked.commit}: ${locked.message?.split('\n')[0]}` : 'the lock is current: no commit');
    return { commit: locked.commit, published };
  } catch (err) {
    core.setFailed(describeError(err));
    return undefined;
  }
}
