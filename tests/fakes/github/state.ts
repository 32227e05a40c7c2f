/**
 * Everything the fake knows, as plain records a test can read (and seed): repositories and their
 * git, pull requests, comments, check runs, workflow runs and artifacts, deployments, dispatches,
 * and a log of every request.
 */
import type { Actor } from './auth.ts';
import type { GitRepo } from './git-repo.ts';

export interface FakeRepository {
  id: number;
  owner: Actor;
  name: string;
  /** `owner/name` */
  fullName: string;
  defaultBranch: string;
  private: boolean;
  /** `owner/name` of the repository this one is a fork of */
  forkOf: string | undefined;
  git: GitRepo;
  createdAt: string;
}

export interface PullRequestRecord {
  id: number;
  /** base repository `owner/name` */
  repository: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  user: Actor;
  /** `repository` is `owner/name` of the head repository: another one for a fork's pull request */
  head: { ref: string; sha: string; repository: string };
  base: { ref: string; sha: string };
  createdAt: string;
  updatedAt: string;
}

/** An issue that is not a pull request (pull requests are issues too, under the same numbers). */
export interface IssueRecord {
  id: number;
  repository: string;
  number: number;
  title: string;
  user: Actor;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  repository: string;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: string;
  updatedAt: string;
}

export interface CheckRunOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunRecord {
  id: number;
  repository: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: CheckRunOutput;
  /** the app (actor) that created it */
  app: Actor;
}

export interface WorkflowRunRecord {
  id: number;
  repository: string;
  name: string;
  /** workflow file path, e.g. `.github/workflows/train.yml` */
  path: string;
  workflowId: number;
  runNumber: number;
  runAttempt: number;
  event: string;
  status: string;
  conclusion: string | null;
  headSha: string;
  headBranch: string | null;
  /** `owner/name` the head commit comes from (a fork for a fork's pull request) */
  headRepository: string;
  /** numbers of the pull requests of the base repository this run is for */
  pullRequests: number[];
  actor: Actor;
  createdAt: string;
  updatedAt: string;
}

export interface ArtifactRecord {
  id: number;
  repository: string;
  runId: number;
  name: string;
  /** the zip archive, as GitHub serves it */
  zip: Uint8Array;
  digest: string;
  expired: boolean;
  createdAt: string;
  expiresAt: string;
  /** secret part of the download URL, which needs no Authorization header */
  downloadToken: string;
}

export interface DeploymentRecord {
  id: number;
  repository: string;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  originalEnvironment: string;
  payload: Record<string, unknown> | string;
  description: string | null;
  transientEnvironment: boolean;
  productionEnvironment: boolean;
  creator: Actor;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentStatusRecord {
  id: number;
  repository: string;
  deploymentId: number;
  state: string;
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  targetUrl: string;
  creator: Actor;
  createdAt: string;
  updatedAt: string;
}

export interface DispatchRecord {
  repository: string;
  /** as given: a file name (`train.yml`) or a numeric id */
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  actor: Actor;
  at: string;
}

export interface RequestRecord {
  method: string;
  /** path and query as sent */
  url: string;
  operationId: string | undefined;
  status: number;
  actor: string | undefined;
  body: unknown;
}

export interface FakeState {
  repositories: FakeRepository[];
  pulls: PullRequestRecord[];
  issues: IssueRecord[];
  comments: CommentRecord[];
  checkRuns: CheckRunRecord[];
  workflowRuns: WorkflowRunRecord[];
  artifacts: ArtifactRecord[];
  deployments: DeploymentRecord[];
  deploymentStatuses: DeploymentStatusRecord[];
  dispatches: DispatchRecord[];
  requests: RequestRecord[];
}

export function emptyState(): FakeState {
  return {
    repositories: [], pulls: [], issues: [], comments: [], checkRuns: [], workflowRuns: [], artifacts: [],
    deployments: [], deploymentStatuses: [], dispatches: [], requests: [],
  };
}

/** Repository names are case-insensitive on GitHub. */
export function findRepository(state: FakeState, fullName: string): FakeRepository | undefined {
  return state.repositories.find((r) => r.fullName.toLowerCase() === fullName.toLowerCase());
}
