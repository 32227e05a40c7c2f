/**
 * The fake GitHub a test starts: an HTTP server that `@octokit/rest` and `@actions/github` reach
 * through `baseUrl`, with repositories backed by bare git repositories, and helpers that seed
 * what the REST API cannot create (pull requests, workflow runs, artifacts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { type Actor, GITHUB_ACTIONS_BOT, type Permissions, type TokenGrant, TokenRegistry } from './auth.ts';
import { artifactDownload } from './routes/actions.ts';
import { GitRepo, isoSeconds } from './git-repo.ts';
import { githubDescription } from './openapi-description.ts';
import { OpenApiRouter } from './openapi-router.ts';
import type { Route } from './route.ts';
import { ROUTES } from './routes/index.ts';
import { type ResponseViolation, startServer } from './server.ts';
import {
  type ArtifactRecord, emptyState, type FakeRepository, type FakeState, type IssueRecord, type PullRequestRecord, type WorkflowRunRecord,
  findRepository,
} from './state.ts';
import { OperationValidator } from './validate.ts';

export interface GitHubFakeOptions {
  /** check every JSON response against GitHub's documented schema, into `responseViolations` */
  checkResponses?: boolean;
}

let shared: { router: OpenApiRouter; validator: OperationValidator } | undefined;

export class GitHubFake {
  /** base URL for Octokit (`new Octokit({ baseUrl: fake.url })`) */
  readonly url: string;
  readonly state: FakeState;
  /** what responses did not fit GitHub's schemas (with `checkResponses`) */
  readonly responseViolations: ResponseViolation[];
  readonly #tokens: TokenRegistry;
  readonly #server: Server;
  readonly #root: string;
  readonly #nextId: () => number;

  private constructor(parts: { server: Server; url: string; root: string; state: FakeState; tokens: TokenRegistry; nextId: () => number; responseViolations: ResponseViolation[] }) {
    this.responseViolations = parts.responseViolations;
    this.#server = parts.server;
    this.url = parts.url;
    this.#root = parts.root;
    this.state = parts.state;
    this.#tokens = parts.tokens;
    this.#nextId = parts.nextId;
  }

  static async start(options: GitHubFakeOptions = {}): Promise<GitHubFake> {
    // one router and validator per process: their compiled schemas serve every fake
    shared ??= { router: new OpenApiRouter(githubDescription().operations), validator: new OperationValidator(githubDescription()) };
    const root = await mkdtemp(path.join(tmpdir(), 'github-fake-'));
    const state = emptyState();
    const tokens = new TokenRegistry();
    let lastId = 1000;
    const nextId = () => ++lastId;
    const responseViolations: ResponseViolation[] = [];
    const { server, origin } = await startServer({
      ...shared,
      routes: new Map<string, Route>(ROUTES.map((r) => [r.operationId, r])),
      tokens, state, nextId, findRepository: (fullName) => findRepository(state, fullName),
      outsideApi: (pathname) => artifactDownload(state, pathname),
      onResponseViolation: options.checkResponses ? (v) => responseViolations.push(v) : undefined,
    });
    return new GitHubFake({ server, url: origin, root, state, tokens, nextId, responseViolations });
  }

  get comments() { return this.state.comments; }
  get dispatches() { return this.state.dispatches; }
  get deployments() { return this.state.deployments; }
  get requests() { return this.state.requests; }

  repository(fullName: string): FakeRepository | undefined {
    return findRepository(this.state, fullName);
  }

  /** A new, empty repository backed by a bare git repository in the fake's temporary folder. */
  async createRepository(options: { owner: string; name: string; defaultBranch?: string; private?: boolean; forkOf?: string; ownerType?: Actor['type'] }): Promise<FakeRepository> {
    const git = await GitRepo.initBare(path.join(this.#root, `${options.owner}+${options.name}.git`), options.defaultBranch ?? 'main');
    return this.addRepository({ ...options, gitDir: git.gitDir });
  }

  /** A repository backed by an existing bare git repository the test made. */
  addRepository(options: { owner: string; name: string; gitDir: string; defaultBranch?: string; private?: boolean; forkOf?: string; ownerType?: Actor['type'] }): FakeRepository {
    const fullName = `${options.owner}/${options.name}`;
    if (this.repository(fullName)) throw new Error(`repository ${fullName} exists already`);
    const repository: FakeRepository = {
      id: this.#nextId(),
      owner: { login: options.owner, id: this.#nextId(), type: options.ownerType ?? 'Organization' },
      name: options.name,
      fullName,
      defaultBranch: options.defaultBranch ?? 'main',
      private: options.private ?? false,
      forkOf: options.forkOf,
      git: new GitRepo(options.gitDir),
      createdAt: isoSeconds(new Date()),
    };
    this.state.repositories.push(repository);
    return repository;
  }

  /** A token as a workflow's GITHUB_TOKEN would be (actor github-actions[bot] unless given). */
  addToken(options: { permissions: Permissions; actor?: Actor; token?: string; repositories?: string[] }): TokenGrant {
    return this.#tokens.add(options);
  }

  /**
   * A pull request on `repository` from `head.ref` of `head.repository` (default: the same
   * repository; another one models a fork). As on GitHub, the head commit is fetched into the
   * base repository as `refs/pull/<number>/head`.
   */
  async addPullRequest(options: {
    repository: string;
    head: { ref: string; repository?: string };
    base?: { ref: string };
    number?: number;
    title?: string;
    body?: string;
    user?: Actor;
    draft?: boolean;
  }): Promise<PullRequestRecord> {
    const base = this.#mustRepository(options.repository);
    const headRepository = this.#mustRepository(options.head.repository ?? options.repository);
    const number = options.number ?? this.#nextIssueNumber(base.fullName);
    const pullRef = `refs/pull/${number}/head`;
    await base.git.run(['fetch', '--quiet', '--no-tags', headRepository.git.gitDir, `+refs/heads/${options.head.ref}:${pullRef}`]);
    const baseRef = options.base?.ref ?? base.defaultBranch;
    const baseSha = await base.git.refTarget(`refs/heads/${baseRef}`);
    if (!baseSha) throw new Error(`${base.fullName} has no branch ${baseRef}`);
    const now = isoSeconds(new Date());
    const pull: PullRequestRecord = {
      id: this.#nextId(),
      repository: base.fullName,
      number,
      title: options.title ?? `Pull request ${number}`,
      body: options.body ?? null,
      state: 'open',
      draft: options.draft ?? false,
      merged: false,
      user: options.user ?? { login: 'octocat', id: 583231, type: 'User' },
      head: { ref: options.head.ref, sha: (await base.git.refTarget(pullRef)) ?? '', repository: headRepository.fullName },
      base: { ref: baseRef, sha: baseSha },
      createdAt: now,
      updatedAt: now,
    };
    this.state.pulls.push(pull);
    return pull;
  }

  addIssue(options: { repository: string; title?: string; user?: Actor }): IssueRecord {
    const repository = this.#mustRepository(options.repository);
    const number = this.#nextIssueNumber(repository.fullName);
    const issue: IssueRecord = {
      id: this.#nextId(), repository: repository.fullName, number, title: options.title ?? `Issue ${number}`,
      user: options.user ?? { login: 'octocat', id: 583231, type: 'User' }, createdAt: isoSeconds(new Date()),
    };
    this.state.issues.push(issue);
    return issue;
  }

  /** A workflow run, as the Actions service would record one (the REST API cannot create runs). */
  seedWorkflowRun(options: {
    repository: string;
    headSha: string;
    event?: string;
    headBranch?: string | null;
    headRepository?: string;
    pullRequests?: number[];
    status?: string;
    conclusion?: string | null;
    name?: string;
    path?: string;
    id?: number;
    actor?: Actor;
  }): WorkflowRunRecord {
    const repository = this.#mustRepository(options.repository);
    const now = isoSeconds(new Date());
    const runNumber = this.state.workflowRuns.filter((r) => r.repository === repository.fullName).length + 1;
    const run: WorkflowRunRecord = {
      id: options.id ?? this.#nextId(),
      repository: repository.fullName,
      name: options.name ?? 'train',
      path: options.path ?? '.github/workflows/train.yml',
      workflowId: 161335,
      runNumber,
      runAttempt: 1,
      event: options.event ?? 'pull_request',
      status: options.status ?? (options.conclusion ? 'completed' : 'in_progress'),
      conclusion: options.conclusion ?? null,
      headSha: options.headSha,
      headBranch: options.headBranch ?? null,
      headRepository: options.headRepository ?? repository.fullName,
      pullRequests: options.pullRequests ?? [],
      actor: options.actor ?? GITHUB_ACTIONS_BOT,
      createdAt: now,
      updatedAt: now,
    };
    this.state.workflowRuns.push(run);
    return run;
  }

  /** An artifact of a run: `files` (name → content) zipped as the upload service would store them. */
  seedArtifact(options: { runId: number; name: string; files: Record<string, string | Uint8Array>; expired?: boolean }): ArtifactRecord {
    const run = this.state.workflowRuns.find((r) => r.id === options.runId);
    if (!run) throw new Error(`no workflow run ${options.runId}: seed it first`);
    const zip = zipSync(Object.fromEntries(Object.entries(options.files).map(([name, content]) => [name, typeof content === 'string' ? new TextEncoder().encode(content) : content])));
    const created = new Date();
    const artifact: ArtifactRecord = {
      id: this.#nextId(),
      repository: run.repository,
      runId: run.id,
      name: options.name,
      zip,
      digest: `sha256:${createHash('sha256').update(zip).digest('hex')}`,
      expired: options.expired ?? false,
      createdAt: isoSeconds(created),
      expiresAt: isoSeconds(new Date(created.getTime() + 90 * 24 * 3600 * 1000)),
      downloadToken: randomBytes(16).toString('hex'),
    };
    this.state.artifacts.push(artifact);
    return artifact;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
    this.#server.closeAllConnections(); // Octokit's fetch keeps connections alive
    await closed;
    await rm(this.#root, { recursive: true, force: true });
  }

  #nextIssueNumber(fullName: string): number {
    const numbers = [...this.state.pulls, ...this.state.issues].filter((x) => x.repository === fullName).map((x) => x.number);
    return Math.max(0, ...numbers) + 1;
  }

  #mustRepository(fullName: string): FakeRepository {
    const repository = this.repository(fullName);
    if (!repository) throw new Error(`no repository ${fullName} in the fake: create it first`);
    return repository;
  }
}
