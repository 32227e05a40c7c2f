/**
 * The three actions' `run()`s on the GitHub fake with a file store: what they do when nothing
 * changed, when a model is deleted, when the trainer changed, when a model cannot be trained,
 * and a fork whose data is written to attack the report.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_MARKER } from '../../../actions/lib/pr/report-markdown.ts';
import { readResults, writeResults } from '../../../actions/lib/pr/results.ts';
import { parseLock } from '../../../registry/lock.ts';
import { openStore } from '../../../registry/store/index.ts';
import { repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { git, gitLog, pushCommit } from '../../fakes/github/test-git.ts';
import { REPO } from '../../helpers/temp.ts';
import { hostileFiles, irisFiles } from './models.ts';
import type { PullRequestSetup } from './scenario.ts';
import { forkReport, publishChampions, pullRequestJob, scratchDir } from './scenario.ts';

const github = useGitHubFake();

const wine = {
  'models/wine/model.yaml': readFileSync(path.join(REPO, 'models/wine/model.yaml'), 'utf8'),
  'models/wine/wine.csv': readFileSync(path.join(REPO, 'models/wine/wine.csv'), 'utf8'),
};

describe('the actions on a repository with two pinned models', () => {
  const storeDir = scratchDir('mlship-file-store-');
  const storeUri = `file://${storeDir}`;
  let lock: string;
  const repoFiles = () => ({ ...irisFiles(), ...wine, 'models.lock.json': lock, 'training/README.md': 'trainer notes\n' });
  let counter = 0;

  beforeAll(async () => {
    lock = await publishChampions(openStore(storeUri), { ...irisFiles(), ...wine }, ['iris', 'wine']);
  });

  async function pullRequest(change: Record<string, string | null>): Promise<PullRequestSetup> {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, `models-${++counter}`, repoFiles());
    pushCommit(repository.git.gitDir, 'change', change, { from: 'main' });
    const pull = await fake.addPullRequest({ repository: repository.fullName, head: { ref: 'change' } });
    return { fake, repository, headRepository: repository, pull };
  }

  it('with nothing changed, passes at once and says so, and commits nothing', async () => {
    const setup = await pullRequest({ 'README.md': 'docs only\n' });
    const job = pullRequestJob(setup, { store: storeUri });
    const before = setup.fake.requests.length;
    const trained = await job.train();
    expect(trained.failed).toBe(false);
    expect(trained.outputs).toMatchObject({ models: '[]', removed: '[]', passed: 'true' });
    expect(setup.fake.requests.slice(before).map((r) => r.operationId)).toEqual(['pulls/list-files']);
    expect(trained.log).toContain('no model changed: nothing to train');
    expect(trained.summary).toContain('No model changed in this pull request: nothing to train, nothing to gate.');
    const published = await job.publish(trained.outputs.results!);
    expect(published.outputs).toMatchObject({ commit: '', published: '[]' });
    await job.report({ results: trained.outputs.results! });
    expect(setup.fake.comments.filter((c) => c.repository === setup.repository.fullName).map((c) => c.body.split('\n')[2])).toEqual(['## mlship ✅ no model changed']);
    expect(setup.fake.state.checkRuns.filter((r) => r.repository === setup.repository.fullName).map((r) => r.conclusion)).toEqual(['success']);
  });

  it('a deleted model folder removes its lock entry in the lock commit, and the report says so', async () => {
    const setup = await pullRequest({ 'models/wine/model.yaml': null, 'models/wine/wine.csv': null });
    const pinned = parseLock(lock, 'lock').models.wine!.version;
    const job = pullRequestJob(setup, { store: storeUri });
    const trained = await job.train();
    expect(trained.outputs).toMatchObject({ models: '[]', removed: '["wine"]', passed: 'true' });
    const published = await job.publish(trained.outputs.results!);
    expect(published.outputs.commit).toMatch(/^[0-9a-f]{40}$/);
    const gitDir = setup.repository.git.gitDir;
    expect(gitLog(gitDir, 'change', '%s')[0]).toBe('mlship: unpin wine');
    expect(Object.keys(parseLock(git(['--git-dir', gitDir, 'show', 'change:models.lock.json']), 'lock').models)).toEqual(['iris']);
    await job.report({ results: trained.outputs.results!, 'lock-commit': published.outputs.commit! });
    const body = setup.fake.comments.find((c) => c.repository === setup.repository.fullName)!.body;
    expect(body).toContain(`### 🗑️ \`wine\` removed\n\nThe pull request deletes \`models/wine/\`: its lock entry (version \`${pinned}\`) is removed.`);
  });

  it('a change under training/ retrains every model, which reproduce their pins: no lock commit', async () => {
    const setup = await pullRequest({ 'training/README.md': 'a trainer change\n' });
    const job = pullRequestJob(setup, { store: storeUri });
    const trained = await job.train();
    expect(trained.outputs).toMatchObject({ models: '["iris","wine"]', passed: 'true' });
    expect((await readResults(trained.outputs.results!)).all).toBe(true);
    expect(trained.summary).toContain('`training/` changed, so every model was retrained.');
    const published = await job.publish(trained.outputs.results!);
    expect(published.outputs.commit).toBe('');
    expect(JSON.parse(published.outputs.published!).map((p: { status: string }) => p.status)).toEqual(['already-published', 'already-published']);
  });

  it('a report longer than a comment can be is cut with a pointer to the job summary, which has it all', async () => {
    const setup = await pullRequest({ 'README.md': 'x\n' });
    const dir = scratchDir('mlship-long-results-');
    const models = Array.from({ length: 120 }, (_, i) => ({ name: `m${i}`, status: 'error' as const, error: { kind: 'DataError', message: `${'bad value '.repeat(80)}#${i}`, place: { file: `models/m${i}/data.csv`, line: i + 2 } } }));
    await writeResults(dir, { format: 'mlship.results/v1', pullRequest: null, head: { sha: null, repository: null }, base: { sha: null, ref: null }, all: false, championsLoaded: true, passed: false, models, removed: [] });
    const reported = await pullRequestJob(setup).report({ results: dir });
    expect(reported.failed).toBe(false);
    const body = setup.fake.comments.find((c) => c.repository === setup.repository.fullName)!.body;
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body.length).toBeGreaterThan(60000);
    expect(body).toMatch(new RegExp(`The full report is in the \\[job summary\\]\\(https://github\\.com/${setup.repository.fullName}/actions/runs/4242\\)\\.$`));
    expect(body).not.toContain('\\#119');
    expect(reported.summary).toContain('\\#119');
    expect(setup.fake.state.checkRuns.filter((r) => r.repository === setup.repository.fullName).map((r) => r.conclusion)).toEqual(['failure']);
  });

  it('a report without results fails, and fails the required check rather than leave it pending', async () => {
    const setup = await pullRequest({ 'models/iris/iris.csv': 'x\n' });
    const reported = await pullRequestJob(setup).report({ results: '/nonexistent/results' });
    expect(reported.failed).toBe(true);
    expect(reported.log).toContain('::error::/nonexistent/results/results.json: cannot read the results (ENOENT)');
    expect(setup.fake.state.checkRuns.filter((r) => r.repository === setup.repository.fullName).map((r) => [r.headSha, r.conclusion])).toEqual([[setup.pull.head.sha, 'failure']]);
  });

  it('a model that cannot be trained fails the step with an annotation at the file and line', async () => {
    const csv = irisFiles()['models/iris/iris.csv']!.split(/\r?\n/);
    csv[5] = '5.0,oops,1.4,0.2,setosa';
    const setup = await pullRequest({ 'models/iris/iris.csv': csv.join('\n') });
    const trained = await pullRequestJob(setup, { store: storeUri }).train();
    expect(trained.failed).toBe(true);
    expect(trained.log).toMatch(/::error title=mlship%3A iris could not be trained,file=models\/iris\/iris\.csv,line=6::models\/iris\/iris\.csv, line 6, row 5, column "sepal_width": /);
    expect(trained.summary).toContain('### ❌ `iris` could not be trained');
  });
});

describe('a fork whose data attacks the report', () => {
  it('is reported from the trusted run with every data value escaped, and nothing of the fork is executed', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'hostile', { 'README.md': 'r\n', 'models.lock.json': '{"lockfileVersion": 2, "models": {}}\n' });
    const fork = await fake.createRepository({ owner: 'mallory', name: 'hostile', forkOf: 'acme/hostile', ownerType: 'User' });
    git(['--git-dir', repository.git.gitDir, 'push', '--quiet', fork.git.gitDir, 'main:main']);
    pushCommit(fork.git.gitDir, 'evil-$(id)-`id`', hostileFiles(), { from: 'main' });
    const pull = await fake.addPullRequest({ repository: 'acme/hostile', head: { ref: 'evil-$(id)-`id`', repository: 'mallory/hostile' }, title: '`rm -rf /` <script>' });
    const setup: PullRequestSetup = { fake, repository, headRepository: fork, pull };
    const trained = await pullRequestJob(setup, { permissions: { contents: 'read', pull_requests: 'read' } }).train();
    expect(trained.outputs.fork).toBe('true');
    const run = fake.seedWorkflowRun({ repository: 'acme/hostile', headSha: pull.head.sha, event: 'pull_request', headRepository: 'mallory/hostile', conclusion: 'success' });
    // the upload also carries files that are nobody's business: they are never read
    const results = readFileSync(path.join(trained.outputs.results!, 'results.json'));
    fake.seedArtifact({ runId: run.id, name: 'mlship-results', files: { 'results.json': results, 'run.sh': '#!/bin/sh\ntouch /tmp/pwned\n', '../escape.json': '{}' } });
    const reported = await forkReport(setup, run.id);
    expect(reported.failed).toBe(false);
    const body = fake.comments.find((c) => c.repository === 'acme/hostile' && c.body.includes(REPORT_MARKER))!.body;
    expect(body).toContain('`hostile`');
    expect(body).not.toMatch(/<img|<script|<b>|@admin|\]\(https/);
    expect(body).toContain('&lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
    expect(fake.state.checkRuns.filter((r) => r.repository === 'acme/hostile').map((r) => r.headSha)).toEqual([pull.head.sha]);
  });
});

describe('the trusted report of a fork’s run that uploaded nothing', () => {
  it('fails, and fails the required check on the run’s head rather than leave it pending', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'no-upload', { 'README.md': 'r\n' });
    const fork = await fake.createRepository({ owner: 'mallory', name: 'no-upload', forkOf: 'acme/no-upload' });
    git(['--git-dir', repository.git.gitDir, 'push', '--quiet', fork.git.gitDir, 'main:main']);
    pushCommit(fork.git.gitDir, 'work', { 'models/x/model.yaml': 'task: regression\n' }, { from: 'main' });
    const pull = await fake.addPullRequest({ repository: 'acme/no-upload', head: { ref: 'work', repository: 'mallory/no-upload' } });
    const run = fake.seedWorkflowRun({ repository: 'acme/no-upload', headSha: pull.head.sha, headRepository: 'mallory/no-upload', conclusion: 'failure' });
    const reported = await forkReport({ fake, repository, headRepository: fork, pull }, run.id);
    expect(reported.failed).toBe(true);
    expect(reported.log).toContain(`run ${run.id} has no unexpired artifact named "mlship-results"`);
    expect(fake.state.checkRuns.filter((r) => r.repository === 'acme/no-upload').map((r) => [r.headSha, r.conclusion, r.output.title])).toEqual([[pull.head.sha, 'failure', 'mlship could not report']]);
    expect(fake.comments.filter((c) => c.repository === 'acme/no-upload')).toEqual([]);
  });
});
