import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { failure, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';

const github = useGitHubFake();

describe('workflow dispatches, runs and artifacts', () => {
  it('records a dispatch of a workflow that exists on the ref, and refuses others', async () => {
    const fake = github.get();
    await repositoryWith(fake, 'dispatch', { '.github/workflows/train.yml': 'on: workflow_dispatch\n' });
    const octokit = octokitWith(fake, { actions: 'write' });
    const repo = { owner: 'acme', repo: 'dispatch' };
    const res = await octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'train.yml', ref: 'main', inputs: { model: 'iris' } });
    expect(res.status).toBe(204);
    expect(fake.dispatches).toEqual([expect.objectContaining({ repository: 'acme/dispatch', workflowId: 'train.yml', ref: 'main', inputs: { model: 'iris' } })]);
    expect((await failure(octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'deploy.yml', ref: 'main' }))).status).toBe(404);
    expect(await failure(octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'train.yml', ref: 'nope' }))).toMatchObject({ status: 422, data: { message: 'No ref found for: nope' } });
    expect((await failure(octokitWith(fake, { actions: 'read' }).rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'train.yml', ref: 'main' }))).status).toBe(403);
    expect(fake.dispatches).toHaveLength(1);
  });

  it('seeds a run and its artifact; lists, downloads (302 to a URL needing no token) and unzips the same files', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'artifacts', { 'README.md': 'r\n' });
    const pull = await fake.addPullRequest({ repository: 'acme/artifacts', head: { ref: 'main' } });
    const run = fake.seedWorkflowRun({ repository: 'acme/artifacts', headSha: main, headBranch: 'main', event: 'pull_request', pullRequests: [pull.number], conclusion: 'success' });
    const files = { 'model.json': '{"tree":[1,2,3]}', 'metrics/holdout.json': '{"accuracy":0.97}' };
    const seeded = fake.seedArtifact({ runId: run.id, name: 'model-iris', files });
    fake.seedArtifact({ runId: run.id, name: 'logs', files: { 'log.txt': 'ok' } });
    const octokit = octokitWith(fake, { actions: 'read' });
    const repo = { owner: 'acme', repo: 'artifacts' };
    const { data: gotRun } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: run.id });
    expect(gotRun).toMatchObject({ id: run.id, head_sha: main, event: 'pull_request', conclusion: 'success', pull_requests: [{ number: pull.number }], head_repository: { full_name: 'acme/artifacts' } });
    const { data: list } = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: run.id, name: 'model-iris' });
    expect(list.total_count).toBe(1);
    expect(list.artifacts[0]).toMatchObject({ id: seeded.id, name: 'model-iris', expired: false, workflow_run: { id: run.id, head_sha: main } });
    const download = await octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: seeded.id, archive_format: 'zip' });
    const unzipped = unzipSync(new Uint8Array(download.data as ArrayBuffer));
    expect(Object.fromEntries(Object.entries(unzipped).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]))).toEqual(files);
    // the redirect target is served without any Authorization header
    const redirect = await fetch(`${fake.url}/repos/acme/artifacts/actions/artifacts/${seeded.id}/zip`, {
      redirect: 'manual', headers: { authorization: `token ${fake.addToken({ permissions: { actions: 'read' } }).token}` },
    });
    expect(redirect.status).toBe(302);
    const zip = await fetch(redirect.headers.get('location')!);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(new Uint8Array(await zip.arrayBuffer())).toEqual(seeded.zip);
  });

  it('answers 410 for an expired artifact and 404 for an unknown run', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'expired', { a: '1' });
    const run = fake.seedWorkflowRun({ repository: 'acme/expired', headSha: main });
    const old = fake.seedArtifact({ runId: run.id, name: 'old', files: { a: '1' }, expired: true });
    const octokit = octokitWith(fake, { actions: 'read' });
    expect((await failure(octokit.rest.actions.downloadArtifact({ owner: 'acme', repo: 'expired', artifact_id: old.id, archive_format: 'zip' }))).status).toBe(410);
    expect((await failure(octokit.rest.actions.getWorkflowRun({ owner: 'acme', repo: 'expired', run_id: 1 }))).status).toBe(404);
  });
});

describe('check runs', () => {
  it('creates, completes and lists the latest check run per name for a ref', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'checks', { a: '1' });
    const octokit = octokitWith(fake, { checks: 'write' });
    const repo = { owner: 'acme', repo: 'checks' };
    const { data: first } = await octokit.rest.checks.create({ ...repo, name: 'mlship/train', head_sha: main, status: 'in_progress' });
    expect(first).toMatchObject({ status: 'in_progress', conclusion: null, app: { slug: 'github-actions' } });
    await octokit.rest.checks.update({ ...repo, check_run_id: first.id, conclusion: 'failure', output: { title: 'Holdout', summary: 'worse than champion' } });
    const { data: second } = await octokit.rest.checks.create({ ...repo, name: 'mlship/train', head_sha: main, conclusion: 'success' });
    const { data: latest } = await octokit.rest.checks.listForRef({ ...repo, ref: 'main' });
    expect(latest.check_runs.map((r) => [r.id, r.conclusion])).toEqual([[second.id, 'success']]);
    const { data: all } = await octokit.rest.checks.listForRef({ ...repo, ref: main, filter: 'all' });
    expect(all.check_runs.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(all.check_runs[1]?.output).toMatchObject({ title: 'Holdout', summary: 'worse than champion' });
    expect((await failure(octokit.rest.checks.update({ ...repo, check_run_id: first.id, status: 'queued', conclusion: 'bogus' as 'success' }))).status).toBe(422);
    expect((await failure(octokit.rest.checks.create({ ...repo, name: 'x', head_sha: 'f'.repeat(40) }))).status).toBe(422);
  });
});
