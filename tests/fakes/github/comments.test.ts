import { describe, expect, it } from 'vitest';
import { GITHUB_ACTIONS_BOT } from './auth.ts';
import { failure, octokitFor, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';
import { pushCommit } from './test-git.ts';

const github = useGitHubFake();
const MARKER = '<!-- mlship:report -->';

async function pullRequest() {
  const fake = github.get();
  const { repository } = await repositoryWith(fake, `comments-${fake.state.repositories.length}`, { 'models.lock.json': '{}\n' });
  pushCommit(repository.git.gitDir, 'train-iris', { 'models/iris/spec.yaml': 'target: species\n' });
  const pull = await fake.addPullRequest({ repository: repository.fullName, head: { ref: 'train-iris' } });
  return { fake, repository, pull, repo: { owner: 'acme', repo: repository.name, issue_number: pull.number } };
}

describe('issue comments', () => {
  it('supports the sticky comment: paginate every page, find by marker and author, update in place', async () => {
    const { fake, repo } = await pullRequest();
    // 44 comments by people, some quoting the marker, and the bot's own one in the middle
    const people = octokitWith(fake);
    const humans = fake.addToken({ permissions: { issues: 'write' }, actor: { login: 'dev', id: 7, type: 'User' } }).token;
    const asHuman = octokitFor(fake, humans);
    for (let i = 0; i < 44; i++) {
      if (i === 20) await people.rest.issues.createComment({ ...repo, body: `${MARKER}\nfirst report` });
      await asHuman.rest.issues.createComment({ ...repo, body: i % 10 === 0 ? `quoting ${MARKER}` : `comment ${i}` });
    }
    const bot = octokitWith(fake, { issues: 'write', pull_requests: 'write' });
    const all = await bot.paginate(bot.rest.issues.listComments, { ...repo, per_page: 10 });
    expect(all).toHaveLength(45);
    const pages = fake.requests.filter((r) => r.operationId === 'issues/list-comments');
    expect(pages.map((r) => r.url)).toContain(`/repos/acme/${repo.repo}/issues/${repo.issue_number}/comments?per_page=10&page=5`);
    const mine = all.filter((c) => c.user?.login === GITHUB_ACTIONS_BOT.login && c.user.type === 'Bot' && c.body?.includes(MARKER));
    expect(mine).toHaveLength(1);
    const [sticky] = mine;
    await bot.rest.issues.updateComment({ owner: repo.owner, repo: repo.repo, comment_id: sticky!.id, body: `${MARKER}\nsecond report` });
    expect(fake.comments.filter((c) => c.body.startsWith(MARKER)).map((c) => c.body)).toEqual([`${MARKER}\nsecond report`]);
    expect(fake.comments).toHaveLength(45);
  });

  it('lists 30 a page by default and at most 100, with a Link header', async () => {
    const { fake, repo } = await pullRequest();
    const octokit = octokitWith(fake);
    for (let i = 0; i < 31; i++) await octokit.rest.issues.createComment({ ...repo, body: `c${i}` });
    const first = await octokit.rest.issues.listComments(repo);
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toMatch(/<[^>]*page=2[^>]*>; rel="next"/);
    const big = await octokit.rest.issues.listComments({ ...repo, per_page: 500 });
    expect(big.data).toHaveLength(31);
    expect(big.headers.link).toBeUndefined();
  });

  it('writes the comment as the token’s actor', async () => {
    const { fake, repo } = await pullRequest();
    const { data } = await octokitWith(fake).rest.issues.createComment({ ...repo, body: 'trained' });
    expect(data.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot', id: 41898282 });
    expect(fake.comments.at(-1)).toMatchObject({ body: 'trained', user: GITHUB_ACTIONS_BOT });
  });

  it('refuses a body longer than 65536 characters, as GitHub does', async () => {
    const { fake, repo } = await pullRequest();
    const octokit = octokitWith(fake);
    await expect(octokit.rest.issues.createComment({ ...repo, body: 'x'.repeat(65536) })).resolves.toMatchObject({ status: 201 });
    const res = await failure(octokit.rest.issues.createComment({ ...repo, body: 'x'.repeat(65537) }));
    expect(res).toMatchObject({ status: 422, data: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', message: 'Body is too long (maximum is 65536 characters)' }] } });
  });

  it('deletes a comment, and answers 404 for one that is gone or an issue that does not exist', async () => {
    const { fake, repo } = await pullRequest();
    const octokit = octokitWith(fake);
    const { data } = await octokit.rest.issues.createComment({ ...repo, body: 'to go' });
    await expect(octokit.rest.issues.deleteComment({ owner: repo.owner, repo: repo.repo, comment_id: data.id })).resolves.toMatchObject({ status: 204 });
    expect((await failure(octokit.rest.issues.deleteComment({ owner: repo.owner, repo: repo.repo, comment_id: data.id }))).status).toBe(404);
    expect((await failure(octokit.rest.issues.createComment({ ...repo, issue_number: 999, body: 'x' }))).status).toBe(404);
  });
});
