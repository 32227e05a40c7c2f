import { describe, expect, it } from 'vitest';
import { failure, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';
import { gitLog, pushCommit } from './test-git.ts';

const github = useGitHubFake();

describe('deployments', () => {
  it('records a deployment of main with its payload, its statuses, and lists both newest first', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'deploy', { 'models.lock.json': '{}\n' });
    const octokit = octokitWith(fake, { deployments: 'write' });
    const repo = { owner: 'acme', repo: 'deploy' };
    const created = await octokit.rest.repos.createDeployment({ ...repo, ref: 'main', environment: 'production', payload: { lock: 'abc' }, description: 'mlship', required_contexts: [] });
    expect(created.status).toBe(201);
    const deployment = created.data as { id: number; sha: string; payload: unknown; production_environment?: boolean };
    expect(deployment).toMatchObject({ sha: main, payload: { lock: 'abc' }, production_environment: true });
    expect(fake.deployments).toHaveLength(1);
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deployment.id, state: 'in_progress' });
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deployment.id, state: 'success', environment_url: 'http://serving.example/' });
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: deployment.id });
    expect(statuses.map((s) => s.state)).toEqual(['success', 'in_progress']);
    const second = await octokit.rest.repos.createDeployment({ ...repo, ref: main, environment: 'staging', required_contexts: [] });
    const { data: list } = await octokit.rest.repos.listDeployments(repo);
    expect(list.map((d) => d.id)).toEqual([(second.data as { id: number }).id, deployment.id]);
    expect((await octokit.rest.repos.listDeployments({ ...repo, environment: 'production' })).data.map((d) => d.id)).toEqual([deployment.id]);
    expect((await failure(octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: deployment.id, state: 'done' as 'success' }))).status).toBe(422);
    expect((await failure(octokit.rest.repos.createDeployment({ ...repo, ref: 'nope' }))).status).toBe(422);
    expect((await failure(octokitWith(fake, { deployments: 'read' }).rest.repos.createDeployment({ ...repo, ref: 'main' }))).status).toBe(403);
  });

  it('marks the earlier successful deployment to the same environment inactive', async () => {
    const fake = github.get();
    await repositoryWith(fake, 'inactive', { a: '1' });
    const octokit = octokitWith(fake, { deployments: 'write' });
    const repo = { owner: 'acme', repo: 'inactive' };
    const deploy = async () => ((await octokit.rest.repos.createDeployment({ ...repo, ref: 'main', environment: 'preview', required_contexts: [] })).data as { id: number }).id;
    const first = await deploy();
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: first, state: 'success' });
    const second = await deploy();
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: second, state: 'success' });
    expect((await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: first })).data.map((s) => s.state)).toEqual(['inactive', 'success']);
  });

  it('refuses to deploy a commit whose checks failed (409), and deploys once they pass', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'gated', { a: '1' });
    const octokit = octokitWith(fake, { deployments: 'write', checks: 'write' });
    const repo = { owner: 'acme', repo: 'gated' };
    const { data: check } = await octokit.rest.checks.create({ ...repo, name: 'mlship/train', head_sha: main, conclusion: 'failure' });
    const refused = await failure(octokit.rest.repos.createDeployment({ ...repo, ref: 'main' }));
    expect(refused).toMatchObject({ status: 409, data: { message: 'Conflict: Commit status checks failed for main.' } });
    await octokit.rest.checks.update({ ...repo, check_run_id: check.id, conclusion: 'success' });
    expect((await octokit.rest.repos.createDeployment({ ...repo, ref: 'main' })).status).toBe(201);
  });

  it('auto-merges the default branch into an older branch first (202, a real merge commit)', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'merge', { a: '1' });
    pushCommit(repository.git.gitDir, 'release', { b: '2' }, { from: 'main' });
    pushCommit(repository.git.gitDir, 'main', { c: '3' });
    const octokit = octokitWith(fake, { deployments: 'write' });
    const res = await octokit.rest.repos.createDeployment({ owner: 'acme', repo: 'merge', ref: 'release' });
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ message: 'Auto-merged main into release on deployment.' });
    expect(gitLog(repository.git.gitDir, 'release')[0]).toBe('Auto-merged main into release on deployment.');
    expect(fake.deployments.filter((d) => d.repository === 'acme/merge')).toHaveLength(0);
    expect((await octokit.rest.repos.createDeployment({ owner: 'acme', repo: 'merge', ref: 'release' })).status).toBe(201);
  });
});
