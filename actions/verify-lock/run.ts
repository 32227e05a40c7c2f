/**
 * The `verify-lock` action: before anything is built, every artifact the lock pins must be in the
 * store and be the one pinned (registry/verify.ts, the same check as `mlship verify`). One
 * summary row per model; each failure is an error annotation on the lock, and the job fails.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import type { LockVerification } from '../../registry/verify.ts';
import { verifyLock } from '../../registry/verify.ts';
import { describeError } from '../../training/errors.ts';
import { verifySummary } from '../lib/deploy/verify-summary.ts';
import { appendJobSummary } from '../lib/github/job-summary.ts';
import { runnerContext } from '../lib/github/runner.ts';
import { storeFromInput } from '../lib/pr/store-access.ts';

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<LockVerification | undefined> {
  try {
    const runner = runnerContext(env, process.cwd());
    const root = path.resolve(runner.workspace, core.getInput('working-directory') || '.');
    const lockInput = core.getInput('lock') || DEFAULT_LOCK;
    const lockFile = path.resolve(root, lockInput);
    const storeUri = core.getInput('store', { required: true });
    const lock = await readLock(lockFile);
    const store = storeFromInput(storeUri, { cwd: root, env });
    const result = await verifyLock(lock, store);

    core.setOutput('verified', String(result.ok));
    core.setOutput('models', JSON.stringify(result.models.map((m) => ({ name: m.name, version: m.version, ok: m.ok }))));
    await appendJobSummary(runner.stepSummary, verifySummary(result, { lockFile: lockInput, store: store.uri }));
    for (const m of result.models) {
      if (m.ok) core.info(`✓ ${m.name} ${m.version}  ${m.uri}`);
      else for (const problem of m.problems) core.error(problem, { title: `mlship: ${m.name} ${m.version} failed verification`, file: lockInput });
    }
    if (result.models.length === 0) core.warning(`${lockInput} pins no models: the image will serve none`);
    const failed = result.models.filter((m) => !m.ok);
    if (failed.length > 0) core.setFailed(`${failed.length} of ${result.models.length} pinned models failed verification against ${store.uri}: ${failed.map((m) => m.name).join(', ')}`);
    else core.info(`${lockInput}: ${result.models.length} pinned models verified against ${store.uri}`);
    return result;
  } catch (err) {
    core.setFailed(describeError(err));
    return undefined;
  }
}
