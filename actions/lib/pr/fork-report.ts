/**
 * The trusted half of a fork's pull request, run by the base repository's `workflow_run`
 * workflow: find the pull request the untrusted run belongs to (its claim is checked against the
 * API), fetch the pull request's model files at its head commit as blobs, train them again with
 * this repository's code against the champions, and set the fork's own claims (its sha256s)
 * beside the trusted results, flagging what differs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadChampions } from '../../../registry/champion.ts';
import type { ModelStore } from '../../../registry/store/index.ts';
import { MlshipError } from '../../../training/errors.ts';
import type { GitHubClient, RepoRef } from '../github/client.ts';
import type { PullRequestInfo } from '../github/pull-request.ts';
import { pullRequestFiles, pullRequestFromEvent } from '../github/pull-request.ts';
import { changedModels } from './changed-models.ts';
import { fetchModels, modelFoldersAt } from './fetch-models.ts';
import type { ForkUpload } from './fork-upload.ts';
import { readLockAt } from './lock-commit.ts';
import type { Results } from './results.ts';
import { trainChanges } from './train-changes.ts';

export class ForkRunError extends MlshipError {}

export interface ForkRunPullRequest {
  runId: number;
  headSha: string;
  pr: PullRequestInfo;
}

/**
 * The pull request of a `pull_request` workflow run. GitHub leaves a fork's run without its pull
 * requests, so the number the upload claims is used, but only if that pull request's head is
 * the run's head commit and repository.
 */
export async function forkRunPullRequest(client: GitHubClient, repo: RepoRef, runId: number, claimed: number | null): Promise<ForkRunPullRequest> {
  const { data: run } = await client.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
  if (run.event !== 'pull_request') throw new ForkRunError(`run ${runId} was started by "${run.event}", not by a pull request`);
  const number = run.pull_requests?.[0]?.number ?? claimed;
  if (number === null || number === undefined) throw new ForkRunError(`run ${runId} names no pull request`);
  const { data: pull } = await client.rest.pulls.get({ ...repo, pull_number: number });
  const pr = pullRequestFromEvent({ pull_request: pull, repository: { full_name: `${repo.owner}/${repo.repo}` } });
  const runHead = run.head_repository?.full_name;
  if (pr.head.sha !== run.head_sha || (runHead !== undefined && runHead.toLowerCase() !== pr.head.repository.toLowerCase())) {
    throw new ForkRunError(`pull request #${number} is at ${pr.head.sha.slice(0, 12)} of ${pr.head.repository}, not the run's ${run.head_sha.slice(0, 12)} of ${runHead}: not reporting on it`);
  }
  return { runId, headSha: run.head_sha, pr };
}

export interface RetrainOptions {
  /** The trusted results folder to write. */
  out: string;
  /** Where the champions are (read-only); undefined: none are read. */
  store: ModelStore | undefined;
}

/** The pull request's models trained again from their files at its head, by this code. */
export async function retrainPullRequest(client: GitHubClient, repo: RepoRef, pr: PullRequestInfo, options: RetrainOptions): Promise<Results> {
  const changes = changedModels(await pullRequestFiles(client, repo, pr.number), await modelFoldersAt(client, repo, pr.head.sha));
  const baseLock = (await readLockAt(client, repo, pr.base.sha)).lock;
  const root = await mkdtemp(path.join(tmpdir(), 'mlship-fork-'));
  try {
    await fetchModels(client, repo, pr.head.sha, changes.train, root);
    const champions = options.store ? await loadChampions(baseLock, changes.train, options.store) : undefined;
    return await trainChanges({
      root, changes, baseLock, champions, out: options.out, commit: pr.head.sha, pullRequest: pr.number,
      head: { sha: pr.head.sha, repository: pr.head.repository },
      base: { sha: pr.base.sha, ref: pr.base.ref },
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The trusted results with a note on each model where the fork's upload says otherwise. */
export function compareWithUpload(trusted: Results, upload: ForkUpload): Results {
  const claimed = new Map(upload.results.models.map((m) => [m.name, m]));
  const models = trusted.models.map((m) => {
    if (m.status === 'error') return m;
    const notes: string[] = [];
    const theirs = claimed.get(m.name);
    if (!theirs) notes.push('the fork’s run did not report this model');
    else if (theirs.status === 'error') notes.push('the fork’s run could not train this model');
    else if (theirs.sha256 !== m.sha256) notes.push(`the fork’s run reported sha256 ${theirs.sha256}, but training it here gives ${m.sha256}`);
    const artifact = upload.artifacts.get(m.name);
    if (artifact?.invalid) notes.push(`the fork’s uploaded artifact is not valid: ${artifact.invalid}`);
    else if (artifact && artifact.sha256 !== m.sha256) notes.push(`the fork’s uploaded artifact has sha256 ${artifact.sha256}, not ${m.sha256}`);
    return notes.length ? { ...m, notes } : m;
  });
  return { ...trusted, models };
}
