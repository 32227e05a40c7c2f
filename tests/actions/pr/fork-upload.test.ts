import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { githubClient } from '../../../actions/lib/github/client.ts';
import { forkRunPullRequest } from '../../../actions/lib/pr/fork-report.ts';
import { downloadUpload, readUpload } from '../../../actions/lib/pr/fork-upload.ts';
import type { Results } from '../../../actions/lib/pr/results.ts';
import { trainModels } from '../../../training/train-models.ts';
import { repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { pushCommit } from '../../fakes/github/test-git.ts';
import { rejected, thrown } from '../../helpers/errors.ts';
import { modelDir, tempDir } from '../../helpers/temp.ts';

const github = useGitHubFake();
const encode = (text: string) => new TextEncoder().encode(text);
const results: Results = {
  format: 'mlship.results/v1', pullRequest: 3, head: { sha: 'a'.repeat(40), repository: 'mallory/models' }, base: { sha: 'b'.repeat(40), ref: 'main' },
  all: false, championsLoaded: false, passed: true, models: [], removed: [],
};

describe('reading a fork’s upload as data', () => {
  it('takes only results.json and artifacts/<name>/model.json, and parses each artifact strictly', async () => {
    const dir = modelDir(tempDir(), 'tiny', { 'model.yaml': 'task: regression\nalgorithm: cart\ndata: d.csv\ntarget: y\n', 'd.csv': `x,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i * 2}`).join('\n')}\n` });
    const trained = (await trainModels([dir])).models[0]!;
    if (trained.status === 'error') throw new Error(trained.error.message);
    const upload = readUpload(zipSync({
      'results.json': encode(JSON.stringify(results)),
      'artifacts/tiny/model.json': trained.result.bytes,
      'artifacts/other/model.json': encode('{"format": "mlship.model/v2"}'),
      'artifacts/named/model.json': trained.result.bytes,
      'run.sh': encode('#!/bin/sh\n'),
      'artifacts/../../x/model.json': encode('{}'),
    }));
    expect(upload.results).toEqual(results);
    expect([...upload.artifacts.keys()].sort()).toEqual(['named', 'other', 'tiny']);
    expect(upload.artifacts.get('tiny')).toMatchObject({ sha256: trained.result.sha256, artifact: { name: 'tiny' } });
    expect(upload.artifacts.get('other')!.invalid).toMatch(/^upload:artifacts\/other\/model\.json, field "/);
    expect(upload.artifacts.get('named')!.invalid).toBe('it names the model "tiny"');
  });

  it('refuses what is not a zip, lacks results.json, fails the schema, or inflates past the limit', () => {
    expect(thrown(() => readUpload(encode('not a zip')))).toMatch(/^the upload is not a valid zip/);
    expect(thrown(() => readUpload(zipSync({ 'other.json': encode('{}') })))).toBe('the upload has no results.json');
    expect(thrown(() => readUpload(zipSync({ 'results.json': encode(JSON.stringify({ ...results, passed: 'yes' })) })))).toMatch(/^upload:results\.json, field "passed": /);
    const big = zipSync({ 'results.json': new Uint8Array(2_000_000) }, { level: 9 });
    expect(big.byteLength).toBeLessThan(100_000);
    expect(thrown(() => readUpload(big, 1_000_000))).toBe('the upload inflates to more than 1000000 bytes');
  });

  it('downloads only an unexpired artifact of the run by its name, within the size limit', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'uploads', { 'README.md': 'r\n' });
    const run = fake.seedWorkflowRun({ repository: 'acme/uploads', headSha: main, conclusion: 'success' });
    fake.seedArtifact({ runId: run.id, name: 'mlship-results', files: { 'results.json': JSON.stringify(results) } });
    fake.seedArtifact({ runId: run.id, name: 'old', files: { 'results.json': '{}' }, expired: true });
    const client = githubClient(fake.addToken({ permissions: { actions: 'read' } }).token, fake.url);
    const repo = { owner: 'acme', repo: 'uploads' };
    expect(readUpload(await downloadUpload(client, repo, run.id, 'mlship-results')).results).toEqual(results);
    expect(await rejected(downloadUpload(client, repo, run.id, 'old'))).toBe(`run ${run.id} has no unexpired artifact named "old"`);
    expect(await rejected(downloadUpload(client, repo, run.id, 'mlship-results', 10))).toMatch(/^the artifact "mlship-results" is \d+ bytes, over the limit of 10$/);
  });
});

describe('the pull request of a fork’s run', () => {
  it('is the one the upload claims only when its head is the run’s head commit and repository', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'claims', { 'README.md': 'r\n' });
    const fork = await fake.createRepository({ owner: 'mallory', name: 'claims', forkOf: 'acme/claims' });
    pushCommit(fork.git.gitDir, 'work', { 'models/a/model.yaml': 'x\n' });
    pushCommit(repository.git.gitDir, 'other', { 'models/b/model.yaml': 'x\n' }, { from: 'main' });
    const theirs = await fake.addPullRequest({ repository: 'acme/claims', head: { ref: 'work', repository: 'mallory/claims' } });
    const victim = await fake.addPullRequest({ repository: 'acme/claims', head: { ref: 'other' } });
    const run = fake.seedWorkflowRun({ repository: 'acme/claims', headSha: theirs.head.sha, headRepository: 'mallory/claims', conclusion: 'success' });
    const client = githubClient(fake.addToken({ permissions: { actions: 'read', pull_requests: 'read' } }).token, fake.url);
    const repo = { owner: 'acme', repo: 'claims' };
    expect(await forkRunPullRequest(client, repo, run.id, theirs.number)).toMatchObject({ headSha: theirs.head.sha, pr: { number: theirs.number, fork: true } });
    expect(await rejected(forkRunPullRequest(client, repo, run.id, victim.number))).toMatch(new RegExp(`^pull request #${victim.number} is at [0-9a-f]{12} of acme/claims, not the run's`));
    const pushRun = fake.seedWorkflowRun({ repository: 'acme/claims', headSha: theirs.head.sha, event: 'push' });
    expect(await rejected(forkRunPullRequest(client, repo, pushRun.id, theirs.number))).toBe(`run ${pushRun.id} was started by "push", not by a pull request`);
  });
});
