/**
 * One run of deploy.yml's `deploy` job for a push to main, as GitHub and the runner play it:
 * GitHub creates the `production` deployment record for the job's environment (and its
 * `in_progress` status), the runner checks main's tip out, the steps run in the workflow's order
 * (verify-lock → split the ECR URI → build-image → deploy) through each action's `run()`, and
 * GitHub ends the record with the job's conclusion. AWS is the Ceph RGW store and the ECS fake
 * (one set of keys, as configure-aws-credentials leaves one); ECR is the local docker-registry.
 */
import path from 'node:path';
import * as core from '@actions/core';
import { run as buildImageRun } from '../../../actions/build-image/main.ts';
import type { BuildResult } from '../../../actions/lib/image/build.ts';
import type { DeployRunResult } from '../../../actions/deploy/run.ts';
import { run as deployRun } from '../../../actions/deploy/run.ts';
import { run as verifyLockRun } from '../../../actions/verify-lock/run.ts';
import type { LockVerification } from '../../../registry/verify.ts';
import { describeError } from '../../../training/errors.ts';
import type { GitHubFake } from '../../fakes/github/github-fake.ts';
import { octokitFor } from '../../fakes/github/scenario.ts';
import type { DeploymentRecord, DeploymentStatusRecord, FakeRepository } from '../../fakes/github/state.ts';
import { CLUSTER, CONTAINER, SERVICE } from '../../fakes/ecs/world.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER } from '../../fixtures/registry.ts';
import { REPO } from '../../helpers/temp.ts';
import { instantClock } from '../ecs/helpers.ts';
import { pushStep } from '../deploy/helpers.ts';
import type { StepResult } from '../pr/runner.ts';
import { checkoutAt } from '../pr/scenario.ts';

/** The serving bundle shipped beside the build-image action (what the runner runs). */
export const SHIPPED_BUNDLE = path.join(REPO, 'actions/build-image/dist/serve.mjs');
export const DEPLOY_ROLE = 'arn:aws:iam::111122223333:role/Mlship-GitHubDeployRole';

/** The repository's variables deploy.yml reads, and what stands in for ECR and the AWS keys. */
export interface DeployJobSetup {
  fake: GitHubFake;
  repository: FakeRepository;
  /** vars.MLSHIP_BUCKET, as the store URI: s3://bucket/prefix. */
  store: string;
  /** vars.MLSHIP_ECR_REPOSITORY: host/repository. */
  ecrRepository: string;
  /** vars.MLSHIP_SERVICE_URL: the environment's URL. */
  serviceUrl: string;
  /** The test registry's base image (deploy.yml leaves base-image to the pinned default). */
  baseImage: string;
  /** The AWS keys and endpoints: what configure-aws-credentials leaves, pointed at the stand-ins. */
  env: Record<string, string>;
}

export interface DeployJobRun {
  sha: string;
  deployment: DeploymentRecord;
  /** The record's statuses, oldest first. */
  statuses: DeploymentStatusRecord[];
  conclusion: 'success' | 'failure';
  verify: StepResult<LockVerification | undefined>;
  image?: StepResult<BuildResult | undefined>;
  deploy?: StepResult<DeployRunResult | undefined>;
  /** Requests the job's steps made to the GitHub API (none: the environment records the deployment). */
  stepRequests: number;
  workspace: string;
}

/** deploy.yml's "Split the ECR repository URI" step: the host before the first slash, the repository after it. */
export function splitRepositoryUri(uri: string): { registry: string; repository: string } {
  const slash = uri.indexOf('/');
  return slash < 0 ? { registry: uri, repository: uri } : { registry: uri.slice(0, slash), repository: uri.slice(slash + 1) };
}

/** The runner's cwd is the workspace; build-image reads its lock relative to it. */
async function inDirectory<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

/** build-image's entry point fails the step on a throw (main.ts); the same here. */
async function buildImageStep(): Promise<BuildResult | undefined> {
  try {
    return await buildImageRun({ bundleFile: SHIPPED_BUNDLE });
  } catch (err) {
    core.setFailed(describeError(err));
    return undefined;
  }
}

/** Runs deploy.yml's job on main's tip, `runId` as github.run_id. */
export async function deployJob(setup: DeployJobSetup, sha: string, runId: number): Promise<DeployJobRun> {
  const { fake, repository } = setup;
  // GitHub, for the job's `environment: production`: the record, then in_progress when the job starts.
  const github = octokitFor(fake, fake.addToken({ permissions: { deployments: 'write' }, repositories: [repository.fullName] }).token);
  const repo = { owner: repository.owner.login, repo: repository.name };
  const logUrl = `https://github.com/${repository.fullName}/actions/runs/${runId}/job/1`;
  const { data } = await github.rest.repos.createDeployment({ ...repo, ref: sha, environment: 'production', task: 'deploy', auto_merge: false, required_contexts: [], payload: {}, description: '' });
  const deploymentId = (data as { id: number }).id;
  await github.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deploymentId, state: 'in_progress', log_url: logUrl });

  const workspace = checkoutAt(repository.git.gitDir, sha);
  const requestsBefore = fake.requests.length;
  // The job's steps see the API (and a token) but have no business with it.
  const env = { ...setup.env, GITHUB_SHA: sha, GITHUB_RUN_ID: String(runId), GITHUB_API_URL: fake.url, GITHUB_REF: 'refs/heads/main' };
  const step = <T>(fn: () => Promise<T>, inputs: Record<string, string>) => pushStep(fn, { workspace, inputs, env });

  const result: Omit<DeployJobRun, 'deployment' | 'statuses' | 'conclusion' | 'stepRequests'> = { sha, workspace, verify: await step(() => verifyLockRun(), { lock: 'models.lock.json', store: setup.store }) };
  let failed = result.verify.failed;
  if (!failed) {
    const ecr = splitRepositoryUri(setup.ecrRepository);
    result.image = await step(() => inDirectory(workspace, buildImageStep), {
      registry: ecr.registry,
      repository: ecr.repository,
      lock: 'models.lock.json',
      store: setup.store,
      // action.yml's defaults, as the runner fills them in
      source: `https://github.com/${repository.fullName}`,
      commit: sha,
      platform: 'linux/amd64',
      previous: '',
      // the local registry instead of ECR: its base image, its user, plain HTTP
      'base-image': setup.baseImage,
      username: REGISTRY_USER,
      password: REGISTRY_PASSWORD,
      insecure: 'true',
    });
    failed = result.image.failed;
  }
  if (!failed) {
    result.deploy = await step(() => deployRun(process.env, { clock: instantClock() }), {
      cluster: CLUSTER,
      service: SERVICE,
      container: CONTAINER,
      image: result.image!.outputs.image!,
      'refresh-role': DEPLOY_ROLE,
      // action.yml's defaults
      timeout: '30',
      region: '',
      lock: 'models.lock.json',
      'service-url': '',
    });
    failed = result.deploy.failed;
  }
  const stepRequests = fake.requests.length - requestsBefore;

  // GitHub ends the record with the job's conclusion.
  const conclusion = failed ? 'failure' : 'success';
  await github.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deploymentId, state: conclusion, log_url: logUrl, environment_url: setup.serviceUrl });
  const deployment = fake.deployments.find((d) => d.id === deploymentId)!;
  const statuses = fake.state.deploymentStatuses.filter((s) => s.deploymentId === deploymentId);
  return { ...result, deployment, statuses, conclusion, stepRequests };
}
