import { getOctokit } from '@actions/github';
import { describe, expect, it } from 'vitest';
import { failure, octokitFor, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';

const github = useGitHubFake();

describe('routes are GitHub’s', () => {
  it('answers an Octokit call with the repository', async () => {
    const fake = github.get();
    await repositoryWith(fake, 'routing', { 'README.md': '# models\n' });
    const { data, status } = await octokitWith(fake).rest.repos.get({ owner: 'acme', repo: 'routing' });
    expect(status).toBe(200);
    expect(data).toMatchObject({ full_name: 'acme/routing', default_branch: 'main', private: false });
  });

  it('works for @actions/github’s getOctokit as a workflow builds it', async () => {
    const fake = github.get();
    const octokit = getOctokit(fake.addToken({ permissions: { contents: 'read' } }).token, { baseUrl: fake.url });
    const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'routing' });
    expect(data.name).toBe('routing');
  });

  it('answers 404 for a route GitHub does not have, as GitHub does', async () => {
    const fake = github.get();
    const res = await failure(octokitWith(fake).request('GET /repos/{owner}/{repo}/models-lock', { owner: 'acme', repo: 'routing' }));
    expect(res).toEqual({ status: 404, data: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', url: '/repos/acme/routing/models-lock', status: 404, operationId: undefined });
  });

  it('answers 501 naming the operation for a real route the fake does not implement', async () => {
    const fake = github.get();
    const res = await failure(octokitWith(fake).rest.repos.getAllTopics({ owner: 'acme', repo: 'routing' }));
    expect(res.status).toBe(501);
    expect(res.data.message).toContain('repos/get-all-topics');
  });

  it('answers 404 for a repository it does not hold', async () => {
    const res = await failure(octokitWith(github.get()).rest.repos.get({ owner: 'acme', repo: 'nowhere' }));
    expect(res.status).toBe(404);
  });
});

describe('validation against the operation’s schema', () => {
  it('refuses a body of the wrong type with a GitHub-shaped 422', async () => {
    const fake = github.get();
    const issue = fake.addIssue({ repository: 'acme/routing' });
    const octokit = octokitWith(fake);
    const res = await failure(octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'acme', repo: 'routing', issue_number: issue.number, body: 123 as unknown as string,
    }));
    expect(res.status).toBe(422);
    expect(res.data).toMatchObject({
      message: expect.stringContaining("For 'body', 123 must be string."),
      errors: [{ field: 'body', code: 'invalid' }],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    });
    expect(fake.comments).toEqual([]);
  });

  it('refuses a body missing a required property', async () => {
    const fake = github.get();
    const res = await failure(octokitWith(fake).request('POST /repos/{owner}/{repo}/git/blobs', { owner: 'acme', repo: 'routing' } as never));
    expect(res.status).toBe(422);
    expect(res.data).toMatchObject({ message: 'Invalid request.\n\n"content" wasn\'t supplied.', errors: [{ field: 'content', code: 'missing_field' }] });
  });

  it('refuses a query parameter outside its enum, and a path parameter of the wrong type', async () => {
    const octokit = octokitWith(github.get());
    const enumRes = await failure(octokit.rest.checks.listForRef({ owner: 'acme', repo: 'routing', ref: 'main', status: 'sleeping' as 'queued' }));
    expect(enumRes.status).toBe(422);
    expect(enumRes.data.message).toContain("For 'status', \"sleeping\" must be equal to one of the allowed values.");
    const typeRes = await failure(octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: 'acme', repo: 'routing', issue_number: 'first' as unknown as number }));
    expect(typeRes.status).toBe(422);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const fake = github.get();
    const res = await fetch(`${fake.url}/repos/acme/routing/git/blobs`, {
      method: 'POST', headers: { authorization: `token ${fake.addToken({ permissions: { contents: 'write' } }).token}` }, body: '{"content":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'Problems parsing JSON' });
  });
});

describe('tokens and permissions', () => {
  it('answers 401 without a token and for an unknown one', async () => {
    const fake = github.get();
    const none = await fetch(`${fake.url}/repos/acme/routing`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ message: 'Requires authentication' });
    const unknown = await failure(octokitFor(fake, 'ghs_not-issued').rest.repos.get({ owner: 'acme', repo: 'routing' }));
    expect(unknown).toMatchObject({ status: 401, data: { message: 'Bad credentials' } });
  });

  it('lets a read-only token (a fork’s pull request run) read but not write', async () => {
    const fake = github.get();
    const issue = fake.addIssue({ repository: 'acme/routing' });
    const readOnly = octokitWith(fake, { contents: 'read', issues: 'read', pull_requests: 'read' });
    await expect(readOnly.rest.issues.listComments({ owner: 'acme', repo: 'routing', issue_number: issue.number })).resolves.toMatchObject({ status: 200 });
    const res = await failure(readOnly.rest.issues.createComment({ owner: 'acme', repo: 'routing', issue_number: issue.number, body: 'hi' }));
    expect(res).toMatchObject({ status: 403, data: { message: 'Resource not accessible by integration' } });
    expect(fake.comments).toEqual([]);
  });

  it('refuses a route whose permission the token lacks even for reading', async () => {
    const res = await failure(octokitWith(github.get(), { contents: 'read' }).rest.actions.getWorkflowRun({ owner: 'acme', repo: 'routing', run_id: 1 }));
    expect(res.status).toBe(403);
  });

  it('keeps a token to the repositories it was issued for when writing', async () => {
    const fake = github.get();
    const token = fake.addToken({ permissions: { contents: 'write' }, repositories: ['acme/elsewhere'] }).token;
    const octokit = octokitFor(fake, token);
    const res = await failure(octokit.rest.git.createBlob({ owner: 'acme', repo: 'routing', content: 'x' }));
    expect(res.status).toBe(403);
  });
});
