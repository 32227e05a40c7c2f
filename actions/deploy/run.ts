/**
 * The `deploy` action: roll the image out on the ECS service (actions/lib/ecs: register the next
 * revision, UpdateService, follow that deployment), then, given the service's URL, smoke-test it.
 * Outputs the revision, the deployment and the status; the job summary records the image digest
 * and the model versions the lock pins. A failed, timed-out or smoke-failed deploy writes its
 * reasons to the log and the summary and fails the job.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { DEFAULT_LOCK, readLock } from '../../registry/lock.ts';
import { describeError } from '../../training/errors.ts';
import { ecsClient } from '../lib/deploy/ecs-client.ts';
import { pinnedModels } from '../lib/deploy/pinned.ts';
import { smokeTest } from '../lib/deploy/smoke.ts';
import type { SmokeOptions, SmokeResult } from '../lib/deploy/smoke.ts';
import { deploySummary } from '../lib/deploy/summary.ts';
import { timeoutMsFrom } from '../lib/deploy/timeout.ts';
import type { Clock } from '../lib/ecs/clock.ts';
import { deployImage } from '../lib/ecs/deploy.ts';
import { DeployError } from '../lib/ecs/errors.ts';
import type { DeployResult } from '../lib/ecs/outcome.ts';
import { appendJobSummary } from '../lib/github/job-summary.ts';
import { escapeMarkdown } from '../lib/pr/markdown.ts';
import { runnerContext } from '../lib/github/runner.ts';
import { chooseCredentials } from './credentials.ts';

/** For tests: time, and the smoke test's waits. */
export interface DeployDeps {
  clock?: Clock;
  smoke?: SmokeOptions;
}

export interface DeployRunResult {
  result: DeployResult;
  smoke: SmokeResult | undefined;
}

interface Inputs {
  cluster: string;
  service: string;
  container: string;
  image: string;
  timeoutMs: number;
  region: string;
  refreshRole: string;
  /** As given (for the summary), relative to the workspace. */
  lockFile: string;
  serviceUrl: string;
}

function readInputs(env: NodeJS.ProcessEnv): Inputs {
  const region = core.getInput('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new DeployError('no AWS region: set the region input, or AWS_REGION (configure-aws-credentials sets it)', { field: 'region' });
  return {
    cluster: core.getInput('cluster', { required: true }),
    service: core.getInput('service', { required: true }),
    container: core.getInput('container') || 'serving',
    image: core.getInput('image', { required: true }),
    timeoutMs: timeoutMsFrom(core.getInput('timeout')),
    region,
    refreshRole: core.getInput('refresh-role'),
    lockFile: core.getInput('lock') || DEFAULT_LOCK,
    serviceUrl: core.getInput('service-url'),
  };
}

export async function run(env: NodeJS.ProcessEnv = process.env, deps: DeployDeps = {}): Promise<DeployRunResult | undefined> {
  try {
    const runner = runnerContext(env, process.cwd());
    const inputs = readInputs(env);
    const { cluster, service, container, image } = inputs;
    const lock = await readLock(path.resolve(runner.workspace, inputs.lockFile));

    const credentials = chooseCredentials(env, { refreshRole: inputs.refreshRole, region: inputs.region, now: deps.clock?.now });
    const ecs = ecsClient({ region: inputs.region, endpoint: env.MLSHIP_ECS_ENDPOINT || undefined, credentials: credentials.provider });
    core.info(`rolling ${image} out on ${service} (cluster ${cluster}, container ${container}), waiting up to ${inputs.timeoutMs / 60_000} min, with ${credentials.description}`);
    const result = await deployImage(ecs, { cluster, service, container, image, timeoutMs: inputs.timeoutMs }, { clock: deps.clock });
    core.setOutput('task-definition-arn', result.taskDefinitionArn);
    core.setOutput('deployment-id', result.deploymentId ?? '');
    core.setOutput('status', result.status);
    const rolledOut = result.status === 'succeeded' || result.status === 'skipped';
    logReasons(result, rolledOut);

    const smoke = rolledOut && inputs.serviceUrl ? await smokeTest(inputs.serviceUrl, lock, deps.smoke) : undefined;
    core.setOutput('smoke', smoke ? (smoke.ok ? 'passed' : 'failed') : 'not-run');
    logSmoke(smoke);
    await appendJobSummary(runner.stepSummary, deploySummary({ cluster, service, container, result, models: pinnedModels(lock), lockFile: inputs.lockFile, smoke }));

    if (!rolledOut) core.setFailed(`the deployment of ${image} ${result.status === 'failed' ? 'failed' : 'timed out'}: ${result.reasons[0]?.message ?? 'no reason given'}`);
    else if (smoke && !smoke.ok) core.setFailed(`the smoke test of ${smoke.url} failed: ${smoke.checks.filter((c) => !c.ok).map((c) => c.message).join('; ')}`);
    else core.info(result.status === 'skipped' ? `unchanged: ${result.reasons[0]?.message ?? ''}` : `rolled out ${image}: ${result.taskDefinitionArn}, deployment ${result.deploymentId}`);
    return { result, smoke };
  } catch (err) {
    // Nothing was rolled out (or it is unknown how far it got): the summary says why the step stopped.
    core.setFailed(describeError(err));
    await appendJobSummary(env.GITHUB_STEP_SUMMARY, `## mlship deploy: ❌ error\n\n${escapeMarkdown(describeError(err))}\n`).catch(() => false);
    return undefined;
  }
}

/** A failed rollout's reasons are errors (annotations); a success's notes are information, a replacement a warning. */
function logReasons(result: DeployResult, rolledOut: boolean): void {
  for (const r of result.reasons) {
    const line = `${r.kind}: ${r.message}${r.taskArn ? ` (${r.taskArn})` : ''}`;
    if (!rolledOut) core.error(line, { title: 'mlship deploy failed' });
    else if (r.kind === 'replaced') core.warning(line);
    else core.info(line);
  }
}

function logSmoke(smoke: SmokeResult | undefined): void {
  for (const c of smoke?.checks ?? []) {
    const line = `smoke ${c.check}${c.model ? ` ${c.model}` : ''}: ${c.message}`;
    if (c.ok) core.info(`✓ ${line}`);
    else core.error(line, { title: 'mlship smoke test failed' });
  }
}
