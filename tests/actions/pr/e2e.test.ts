/**
 * The pull-request flow end to end, as train.yml orders it: a model repository on the GitHub
 * fake (real git behind the API) whose main pins a champion published to the store (Ceph RGW,
 * over S3); a pull request changing the model's data; `train` → `publish` → `report`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePublished } from '../../../actions/lib/pr/published.ts';
import { REPORT_MARKER } from '../../../actions/lib/pr/report-markdown.ts';
import { readResults } from '../../../actions/lib/pr/results.ts';
import { parseLock } from '../../../registry/lock.ts';
import type { ModelStore } from '../../../registry/store/index.ts';
import { openStore } from '../../../registry/store/index.ts';
import { requireCeph, useRgw } from '../../fixtures/s3.ts';
import { GITHUB_ACTIONS_BOT } from '../../fakes/github/auth.ts';
import { octokitFor, repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { git, gitLog, pushCommit } from '../../fakes/github/test-git.ts';
import { changedIrisCsv, impossibleGateSpec, scaffoldedRepository } from './models.ts';
import type { PullRequestSetup } from './scenario.ts';
import { forkReport, publishChampions, pullRequestJob, pushToPullRequest, syncPullRequest } from './scenario.ts';

function filesUnder(dir: string, prefix = ''): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(out, filesUnder(full, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(full);
  }
  return out;
}

describe('a pull request from train to publish to report', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();
  const github = useGitHubFake();
  // The repository a team gets from `mlship init`: its example model is iris.
  const scaffold = scaffoldedRepository();
  const iris = { 'models/iris/model.yaml': scaffold['models/iris/model.yaml']!, 'models/iris/iris.csv': scaffold['models/iris/iris.csv']! };
  const csv = iris['models/iris/iris.csv'];
  let store: ModelStore;
  let storeUri: string;
  let env: Record<string, string>;
  let setup: PullRequestSetup;
  let champion: string;

  const lockOn = (ref: string) => parseLock(git(['--git-dir', setup.repository.git.gitDir, 'show', `${ref}:models.lock.json`]), ref);
  const reports = () => setup.fake.comments.filter((c) => c.issueNumber === setup.pull.number && c.repository === 'acme/models' && c.body.includes(REPORT_MARKER));
  const checks = (sha: string) => setup.fake.state.checkRuns.filter((r) => r.headSha === sha && r.name === 'mlship / report');

  beforeAll(async () => {
    const bucket = await rgw.bucket();
    storeUri = `s3://${bucket}/team`;
    store = openStore(storeUri, { s3Client: rgw.client() });
    const e = rgw.endpoint;
    env = { MLSHIP_S3_ENDPOINT: e.endpoint, AWS_REGION: e.region, AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey };
    const lock = await publishChampions(store, iris, ['iris']);
    champion = parseLock(lock, 'lock').models.iris!.version;
    const fake = github.get();
    expect(parseLock(scaffold['models.lock.json']!, 'models.lock.json').models).toEqual({}); // init ships an empty lock
    expect(scaffold['.github/workflows/train.yml']).toContain('uses: acme/mlship/actions/train@c0ffee');
    const { repository } = await repositoryWith(fake, 'models', { ...scaffold, 'models.lock.json': lock });
    pushCommit(repository.git.gitDir, 'better-iris', { 'models/iris/iris.csv': changedIrisCsv(csv, 8) }, { from: 'main', message: 'Relabel eight flowers' });
    const pull = await fake.addPullRequest({ repository: 'acme/models', head: { ref: 'better-iris' } });
    setup = { fake, repository, headRepository: repository, pull };
  });

  let version: string;
  let lockCommit: string;

  it('publishes the candidate under its version, commits one lock commit pinning it, and reports in one comment', async () => {
    const trainedAt = setup.pull.head.sha;
    const job = pullRequestJob(setup, { store: storeUri, env });
    const trained = await job.train();
    expect(trained.failed).toBe(false);
    expect(trained.outputs).toMatchObject({ models: '["iris"]', removed: '[]', passed: 'true', fork: 'false', results: path.join(job.workspace, '.mlship/results') });
    const results = await readResults(trained.outputs.results!);
    const result = results.models[0]!;
    if (result.status === 'error') throw new Error('iris did not train');
    version = result.version;
    expect(version).not.toBe(champion);
    expect(result.champion?.version).toBe(champion);
    expect(result.diff).toMatchObject({ kind: 'classes', changed: 1 });
    expect(trained.summary).toContain(`### ✅ \`iris\` \`${version}\` passed`);
    expect(trained.log).toContain('::add-mask::');

    const published = await job.publish(trained.outputs.results!);
    expect(published.failed).toBe(false);
    expect(parsePublished(published.outputs.published!)).toEqual([{ name: 'iris', version, sha256: result.sha256, status: 'published', key: `models/iris/${version}/model.json` }]);
    lockCommit = published.outputs.commit!;
    // in the store under its version, with the trained commit as provenance
    expect(await store.head('iris', version)).toMatchObject({ sha256: result.sha256, commit: trainedAt });
    // the branch has exactly one lock commit, by the bot, on top of the trained commit, naming the model and version
    expect(gitLog(setup.repository.git.gitDir, 'better-iris', '%H %P %an|%s').slice(0, 2)).toEqual([
      `${lockCommit} ${trainedAt} github-actions[bot]|mlship: pin iris ${version}`,
      expect.stringContaining('Relabel eight flowers'),
    ]);
    expect(lockOn('better-iris').models.iris).toMatchObject({ version, sha256: result.sha256, source: { commit: trainedAt, spec: 'models/iris/model.yaml' } });
    expect(lockOn('main').models.iris!.version).toBe(champion);

    const reported = await job.report({ results: trained.outputs.results!, published: published.outputs.published!, 'lock-commit': lockCommit });
    expect(reported.failed).toBe(false);
    expect(reports()).toHaveLength(1);
    expect(reports()[0]!.user.login).toBe(GITHUB_ACTIONS_BOT.login);
    expect(reports()[0]!.body).toContain(`store key \`models/iris/${version}/model.json\` · published`);
    expect(reports()[0]!.body).toContain(`against champion \`${champion}\``);
    expect(reports()[0]!.body).toMatch(/\*\*1 of 30 rows\*\* \(3\.3%\) change their prediction/);
    expect(reported.outputs).toMatchObject({ 'comment-id': String(reports()[0]!.id), passed: 'true' });
    expect(checks(lockCommit).map((c) => c.conclusion)).toEqual(['success']);
  });

  it('a rerun on its own lock commit makes no new commit and changes no version', async () => {
    await syncPullRequest(setup);
    expect(setup.pull.head.sha).toBe(lockCommit);
    const lockBefore = git(['--git-dir', setup.repository.git.gitDir, 'show', 'better-iris:models.lock.json']);
    const job = pullRequestJob(setup, { store: storeUri, env });
    const trained = await job.train();
    const result = (await readResults(trained.outputs.results!)).models[0]!;
    // still gated against the base branch's pin, not the branch's own lock
    expect(result).toMatchObject({ status: 'passed', version, champion: { version: champion } });
    const published = await job.publish(trained.outputs.results!);
    expect(published.outputs.commit).toBe('');
    expect(parsePublished(published.outputs.published!)).toMatchObject([{ name: 'iris', version, status: 'already-published' }]);
    expect(gitLog(setup.repository.git.gitDir, 'better-iris', '%H')[0]).toBe(lockCommit);
    expect(git(['--git-dir', setup.repository.git.gitDir, 'show', 'better-iris:models.lock.json'])).toBe(lockBefore);
    await job.report({ results: trained.outputs.results!, published: published.outputs.published! });
    expect(reports()).toHaveLength(1);
  });

  it('keeps exactly one comment after another push, and after 40 unrelated comments', async () => {
    await pushToPullRequest(setup, { 'models/iris/iris.csv': changedIrisCsv(csv, 2) }, 'Relabel two flowers only');
    let job = pullRequestJob(setup, { store: storeUri, env });
    const trained = await job.train();
    const published = await job.publish(trained.outputs.results!);
    const second = parsePublished(published.outputs.published!)[0]!;
    expect(second.version).not.toBe(version);
    expect(published.outputs.commit).toMatch(/^[0-9a-f]{40}$/);
    await job.report({ results: trained.outputs.results!, published: published.outputs.published!, 'lock-commit': published.outputs.commit! });
    expect(reports()).toHaveLength(1);
    expect(reports()[0]!.body).toContain(`\`iris\` \`${second.version}\``);

    const human = octokitFor(setup.fake, setup.fake.addToken({ permissions: { issues: 'write' }, actor: { login: 'reviewer', id: 9, type: 'User' } }).token);
    for (let i = 0; i < 40; i++) await human.rest.issues.createComment({ owner: 'acme', repo: 'models', issue_number: setup.pull.number, body: i === 3 ? `quoting ${REPORT_MARKER}` : `looks good ${i}` });
    await syncPullRequest(setup);
    job = pullRequestJob(setup, { store: storeUri, env });
    const again = await job.train();
    await job.report({ results: again.outputs.results! });
    expect(reports().filter((c) => c.user.login === GITHUB_ACTIONS_BOT.login)).toHaveLength(1);
    expect(setup.fake.comments.filter((c) => c.issueNumber === setup.pull.number && c.repository === 'acme/models')).toHaveLength(41);
  });

  it('a deliberately failing gate fails the required job and publishes nothing', async () => {
    const { fake, repository } = setup;
    pushCommit(repository.git.gitDir, 'strict-iris', { 'models/iris/model.yaml': impossibleGateSpec(iris['models/iris/model.yaml']!), 'models/iris/iris.csv': changedIrisCsv(csv, 3) }, { from: 'main' });
    const pull = await fake.addPullRequest({ repository: 'acme/models', head: { ref: 'strict-iris' } });
    const strict: PullRequestSetup = { fake, repository, headRepository: repository, pull };
    const job = pullRequestJob(strict, { store: storeUri, env });
    const trained = await job.train();
    expect(trained.failed).toBe(true);
    expect(trained.outputs.passed).toBe('false');
    expect(trained.log).toMatch(/::error title=mlship%3A iris failed a gate,file=models\/iris\/model\.yaml::iris [0-9a-f]{12} failed: accuracy min 0\.999/);
    const result = (await readResults(trained.outputs.results!)).models[0]!;
    expect(result.status).toBe('gate-failed');
    if (result.status === 'error') throw new Error('unexpected');
    expect(readdirSync(trained.outputs.results!)).toEqual(['results.json']);

    const published = await job.publish(trained.outputs.results!);
    expect(published.outputs).toMatchObject({ commit: '', published: '[]' });
    expect(await store.exists('iris', result.version)).toBe(false);
    expect(gitLog(repository.git.gitDir, 'strict-iris', '%an')[0]).toBe('Test Developer');

    await job.report({ results: trained.outputs.results! });
    expect(checks(pull.head.sha).map((c) => c.conclusion)).toEqual(['failure']);
    const body = fake.comments.find((c) => c.issueNumber === pull.number && c.body.includes(REPORT_MARKER))!.body;
    expect(body).toContain('## mlship ❌ 1 of 1 model failed');
    expect(body).toContain('- ❌ accuracy 0.9000 < min 0.9990');
    expect(body).toContain('· not published');
  });

  it('a fork’s pull request trains with no credentials, and its results reach the comment through the workflow_run path', async () => {
    const { fake, repository } = setup;
    const fork = await fake.createRepository({ owner: 'someone', name: 'models', forkOf: 'acme/models', ownerType: 'User' });
    git(['--git-dir', repository.git.gitDir, 'push', '--quiet', fork.git.gitDir, 'main:main']);
    pushCommit(fork.git.gitDir, 'fork-iris', { 'models/iris/iris.csv': changedIrisCsv(csv, 4) }, { from: 'main', message: 'Relabel four flowers' });
    const pull = await fake.addPullRequest({ repository: 'acme/models', head: { ref: 'fork-iris', repository: 'someone/models' }, user: { login: 'someone', id: 99, type: 'User' } });
    const forked: PullRequestSetup = { fake, repository, headRepository: fork, pull };

    // the untrusted run: a read-only token, no store, no AWS credentials at all
    const job = pullRequestJob(forked, { permissions: { contents: 'read', pull_requests: 'read' } });
    const requestsBefore = fake.requests.length;
    const trained = await job.train();
    expect(trained.failed).toBe(false);
    expect(trained.outputs).toMatchObject({ fork: 'true', models: '["iris"]' });
    expect(fake.requests.slice(requestsBefore).every((r) => r.method === 'GET')).toBe(true);
    const untrusted = await readResults(trained.outputs.results!);
    expect(untrusted.championsLoaded).toBe(false);
    const refused = await job.publish(trained.outputs.results!);
    expect(refused.failed).toBe(true);
    expect(refused.log).toContain('forks are never published');

    // it uploads its results folder; the trusted workflow_run reads it as data
    const run = fake.seedWorkflowRun({ repository: 'acme/models', headSha: pull.head.sha, event: 'pull_request', headBranch: 'fork-iris', headRepository: 'someone/models', pullRequests: [], conclusion: 'success' });
    fake.seedArtifact({ runId: run.id, name: 'mlship-results', files: filesUnder(trained.outputs.results!) });
    const reported = await forkReport(forked, run.id, { store: storeUri, env });
    expect(reported.failed).toBe(false);
    const trusted = reported.value!.results;
    const result = trusted.models[0]!;
    if (result.status === 'error') throw new Error('iris did not train');
    expect(trusted.championsLoaded).toBe(true);
    expect(result.champion?.version).toBe(champion);
    expect(result.notes).toBeUndefined(); // the fork's sha256 matches the trusted retraining
    const body = fake.comments.filter((c) => c.issueNumber === pull.number && c.body.includes(REPORT_MARKER));
    expect(body).toHaveLength(1);
    expect(body[0]!.body).toContain('This pull request comes from a fork');
    expect(body[0]!.body).toContain(`against champion \`${champion}\``);
    expect(checks(pull.head.sha).map((c) => c.conclusion)).toEqual(['success']);
    // forks are never published, and the fork's branch got no commit
    expect(await store.exists('iris', result.version)).toBe(false);
    expect(gitLog(fork.git.gitDir, 'fork-iris', '%s')[0]).toBe('Relabel four flowers');

    // an upload that claims other bytes is flagged, and the trusted numbers stand
    const tampered = JSON.parse(readFileSync(path.join(trained.outputs.results!, 'results.json'), 'utf8'));
    tampered.models[0].sha256 = 'f'.repeat(64);
    tampered.models[0].metrics.accuracy = 1;
    const run2 = fake.seedWorkflowRun({ repository: 'acme/models', headSha: pull.head.sha, event: 'pull_request', headRepository: 'someone/models', conclusion: 'success' });
    fake.seedArtifact({ runId: run2.id, name: 'mlship-results', files: { 'results.json': JSON.stringify(tampered) } });
    await forkReport(forked, run2.id, { store: storeUri, env });
    const again = fake.comments.filter((c) => c.issueNumber === pull.number && c.body.includes(REPORT_MARKER));
    expect(again).toHaveLength(1);
    expect(again[0]!.body).toContain(`the fork’s run reported sha256 ${'f'.repeat(64)}, but training it here gives ${result.sha256}`);
    expect(again[0]!.body).not.toContain('| accuracy | 1 |');
  });
});
