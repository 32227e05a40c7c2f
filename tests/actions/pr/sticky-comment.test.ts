import { describe, expect, it } from 'vitest';
import { githubClient } from '../../../actions/lib/github/client.ts';
import { REPORT_MARKER } from '../../../actions/lib/pr/report-markdown.ts';
import { upsertStickyComment } from '../../../actions/lib/pr/sticky-comment.ts';
import { GITHUB_ACTIONS_BOT } from '../../fakes/github/auth.ts';
import { octokitFor, repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { pushCommit } from '../../fakes/github/test-git.ts';

const github = useGitHubFake();
const BOT = GITHUB_ACTIONS_BOT.login;

async function pullRequest(name: string) {
  const fake = github.get();
  const { repository } = await repositoryWith(fake, name, { 'README.md': 'r\n' });
  pushCommit(repository.git.gitDir, 'change', { 'models/iris/iris.csv': 'a\n' }, { from: 'main' });
  const pull = await fake.addPullRequest({ repository: repository.fullName, head: { ref: 'change' } });
  const bot = githubClient(fake.addToken({ permissions: { pull_requests: 'write', issues: 'write' } }).token, fake.url);
  const human = octokitFor(fake, fake.addToken({ permissions: { issues: 'write' }, actor: { login: 'dev', id: 7, type: 'User' } }).token);
  const repo = { owner: 'acme', repo: name };
  const ours = () => fake.comments.filter((c) => c.repository === repository.fullName && c.user.login === BOT && c.body.includes(REPORT_MARKER));
  return { fake, pull, bot, human, repo, ours };
}

describe('the sticky report comment', () => {
  it('is created once, then edited in place, never posted anew', async () => {
    const { bot, repo, pull, ours } = await pullRequest('sticky-edit');
    const first = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nfirst`, marker: REPORT_MARKER, author: BOT });
    const second = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nsecond`, marker: REPORT_MARKER, author: BOT });
    const third = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nsecond`, marker: REPORT_MARKER, author: BOT });
    expect([first.action, second.action, third.action]).toEqual(['created', 'updated', 'unchanged']);
    expect(second.id).toBe(first.id);
    expect(ours().map((c) => c.body)).toEqual([`${REPORT_MARKER}\nsecond`]);
  });

  it('is found again behind 40 other comments and not confused with a person quoting the marker', async () => {
    const { fake, bot, human, repo, pull, ours } = await pullRequest('sticky-pages');
    const { id } = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nv1`, marker: REPORT_MARKER, author: BOT });
    // a person quoting the marker first would be found first by the marker alone
    await human.rest.issues.createComment({ ...repo, issue_number: pull.number, body: `> ${REPORT_MARKER}\nwhy did this fail?` });
    for (let i = 0; i < 40; i++) await human.rest.issues.createComment({ ...repo, issue_number: pull.number, body: `unrelated ${i}` });
    // the bot's other comments without the marker are not the report either
    await bot.rest.issues.createComment({ ...repo, issue_number: pull.number, body: 'deployed' });
    const before = fake.requests.length;
    const again = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nv2`, marker: REPORT_MARKER, author: BOT });
    expect(again).toMatchObject({ id, action: 'updated' });
    expect(ours().map((c) => c.body)).toEqual([`${REPORT_MARKER}\nv2`]);
    expect(fake.comments.filter((c) => c.repository === `acme/${repo.repo}`)).toHaveLength(43);
    expect(fake.requests.slice(before).map((r) => r.operationId)).toEqual(['issues/list-comments', 'issues/update-comment']);
  });

  it('looks at every page: the report is found past the first hundred comments', async () => {
    const { fake, bot, human, repo, pull, ours } = await pullRequest('sticky-many');
    for (let i = 0; i < 101; i++) await human.rest.issues.createComment({ ...repo, issue_number: pull.number, body: `c${i}` });
    const { id } = await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nv1`, marker: REPORT_MARKER, author: BOT });
    const before = fake.requests.length;
    expect(await upsertStickyComment(bot, { repo, issueNumber: pull.number, body: `${REPORT_MARKER}\nv2`, marker: REPORT_MARKER, author: BOT })).toMatchObject({ id, action: 'updated' });
    expect(fake.requests.slice(before).filter((r) => r.operationId === 'issues/list-comments').map((r) => r.url)).toEqual([
      `/repos/acme/${repo.repo}/issues/${pull.number}/comments?per_page=100`,
      `/repos/acme/${repo.repo}/issues/${pull.number}/comments?per_page=100&page=2`,
    ]);
    expect(ours()).toHaveLength(1);
  });
});
