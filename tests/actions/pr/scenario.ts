/**
 * A model repository on the GitHub fake with a champion published and pinned on main, pull
 * requests against it (from a branch, or from a fork), and the three actions run on them as
 * train.yml orders them: each a `run()` with the runner's variables, on a checkout of the head.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { run as publishRun } from '../../../actions/publish/run.ts';
import { run as reportRun } from '../../../actions/report/run.ts';
import { run as trainRun } from '../../../actions/train/run.ts';
import { formatLock, emptyLock } from '../../../registry/lock.ts';
import { publishArtifacts } from '../../../registry/publish.ts';
import type { ModelStore } from '../../../registry/store/index.ts';
import { trainModels } from '../../../training/train-models.ts';
import type { Permissions } from '../../fakes/github/auth.ts';
import type { GitHubFake } from '../../fakes/github/github-fake.ts';
import { WRITE_ALL } from '../../fakes/github/scenario.ts';
import type { FakeRepository, PullRequestRecord } from '../../fakes/github/state.ts';
import { git, pushCommit } from '../../fakes/github/test-git.ts';
import { pullRequestEvent, runStep, workflowRunEvent } from './runner.ts';
import type { StepResult } from './runner.ts';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A clone of the bare repository at `sha`: the workflow's checkout. */
export function checkoutAt(gitDir: string, sha: string): string {
  const dir = path.join(scratchDir('mlship-checkout-'), 'repo');
  git(['clone', '--quiet', '--no-checkout', gitDir, dir]);
  git(['fetch', '--quiet', 'origin', sha], dir);
  git(['checkout', '--quiet', '--detach', sha], dir);
  return dir;
}

/**
 * Trains the models in `files` and publishes them to `store`: the champions. Returns the lock
 * pinning them, as main would have committed it.
 */
export async function publishChampions(store: ModelStore, files: Record<string, string>, names: string[]): Promise<string> {
  const dir = scratchDir('mlship-champions-');
  const gitDir = path.join(dir, 'repo.git');
  git(['init', '--quiet', '--bare', gitDir]);
  const commit = pushCommit(gitDir, 'main', files);
  const checkout = checkoutAt(gitDir, commit);
  const run = await trainModels(names.map((n) => path.join(checkout, 'models', n)), { out: path.join(dir, 'out') });
  const inputs = run.models.map((m) => {
    if (m.status !== 'passed') throw new Error(`champion ${m.name} did not pass`);
    return { bytes: m.result.bytes, source: m.name, commit };
  });
  return formatLock((await publishArtifacts(inputs, { store, lock: emptyLock() })).lock);
}

export interface PullRequestSetup {
  fake: GitHubFake;
  repository: FakeRepository;
  /** The repository the head branch lives in (a fork's, or the same). */
  headRepository: FakeRepository;
  pull: PullRequestRecord;
}

/** Pushes a commit to the pull request's head branch (in its own repository) and updates the pull request, as a push does. */
export async function pushToPullRequest(setup: PullRequestSetup, files: Record<string, string | null>, message?: string): Promise<string> {
  const sha = pushCommit(setup.headRepository.git.gitDir, setup.pull.head.ref, files, { message });
  await syncPullRequest(setup);
  return sha;
}

/** The pull request follows its branch (after a push, or the lock commit). */
export async function syncPullRequest(setup: PullRequestSetup): Promise<void> {
  const { repository, headRepository, pull } = setup;
  const ref = `refs/pull/${pull.number}/head`;
  await repository.git.run(['fetch', '--quiet', '--no-tags', headRepository.git.gitDir, `+refs/heads/${pull.head.ref}:${ref}`]);
  pull.head.sha = (await repository.git.refTarget(ref))!;
}

export interface StepEnv {
  store?: string;
  env?: Record<string, string | undefined>;
  permissions?: Permissions;
}

/**
 * One `pull_request` job for the pull request as it is now: one checkout of its head, one event,
 * and its steps in train.yml's order, each with its own token of the job's permissions.
 */
export function pullRequestJob(setup: PullRequestSetup, options: StepEnv = {}) {
  const { fake, repository, headRepository, pull } = setup;
  const event = pullRequestEvent({
    number: pull.number,
    base: { ref: pull.base.ref, sha: pull.base.sha, repository: repository.fullName },
    head: { ref: pull.head.ref, sha: pull.head.sha, repository: headRepository.fullName },
  });
  const workspace = checkoutAt(headRepository.git.gitDir, pull.head.sha);
  const step = (inputs: Record<string, string>) => ({
    inputs: { token: fake.addToken({ permissions: options.permissions ?? WRITE_ALL }).token, 'working-directory': '.', ...inputs },
    event, repository: repository.fullName, apiUrl: fake.url, workspace, env: options.env,
  });
  return {
    workspace,
    train: () => runStep(() => trainRun(), step({ store: options.store ?? '', results: '.mlship/results' })),
    publish: (results: string) => runStep(() => publishRun(), step({ store: options.store ?? '', results })),
    report: (inputs: { results: string; published?: string; 'lock-commit'?: string }) =>
      runStep(() => reportRun(), step({ 'check-name': 'mlship / report', 'bot-login': 'github-actions[bot]', published: '', 'lock-commit': '', 'run-id': '', ...inputs })),
  };
}

/** The trusted `workflow_run` report of a fork's run: no checkout of the pull request at all. */
export function forkReport(setup: PullRequestSetup, runId: number, options: StepEnv = {}): Promise<StepResult<Awaited<ReturnType<typeof reportRun>>>> {
  const { fake, repository, headRepository, pull } = setup;
  return runStep(() => reportRun(), {
    inputs: {
      token: fake.addToken({ permissions: options.permissions ?? { contents: 'read', pull_requests: 'write', issues: 'write', checks: 'write', actions: 'read' } }).token,
      'run-id': String(runId), 'artifact-name': 'mlship-results', store: options.store ?? '', results: '', 'check-name': 'mlship / report', 'bot-login': 'github-actions[bot]',
    },
    event: workflowRunEvent({ id: runId, headSha: pull.head.sha, repository: repository.fullName, headRepository: headRepository.fullName }),
    repository: repository.fullName,
    apiUrl: fake.url,
    // the base repository's default branch: the trusted workflow's own checkout
    workspace: checkoutAt(repository.git.gitDir, (git(['--git-dir', repository.git.gitDir, 'rev-parse', 'main']))),
    env: options.env,
  });
}
