import { describe, expect, it } from 'vitest';
import { failure, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';
import { git, gitLog, pushCommit } from './test-git.ts';

const github = useGitHubFake();
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('contents API', () => {
  it('reads a file (base64 and blob sha) and a folder, at a ref, and answers 404 for what is missing', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'read', { 'models.lock.json': '{"v":1}\n', 'models/iris/spec.yaml': 'a: 1\n' });
    pushCommit(repository.git.gitDir, 'other', { 'models.lock.json': '{"v":2}\n' }, { from: 'main' });
    const octokit = octokitWith(fake, { contents: 'read' });
    const repo = { owner: 'acme', repo: 'read' };
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: 'models.lock.json' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(Buffer.from(data.content, 'base64').toString()).toBe('{"v":1}\n');
    expect(data.sha).toBe(git(['--git-dir', repository.git.gitDir, 'rev-parse', 'main:models.lock.json']));
    const other = await octokit.rest.repos.getContent({ ...repo, path: 'models.lock.json', ref: 'other' });
    expect(Buffer.from((other.data as { content: string }).content, 'base64').toString()).toBe('{"v":2}\n');
    const folder = await octokit.rest.repos.getContent({ ...repo, path: 'models/iris' });
    expect((folder.data as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([['spec.yaml', 'file']]);
    const raw = await octokit.rest.repos.getContent({ ...repo, path: 'models.lock.json', mediaType: { format: 'raw' } });
    expect(Buffer.from(raw.data as unknown as ArrayBuffer).toString()).toBe('{"v":1}\n');
    expect((await failure(octokit.rest.repos.getContent({ ...repo, path: 'nope.json' }))).status).toBe(404);
    expect((await failure(octokit.rest.repos.getContent({ ...repo, path: 'models.lock.json', ref: 'no-such-branch' }))).status).toBe(404);
  });

  it('creates and replaces a file as real commits on a branch', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'write', { 'README.md': 'x\n' });
    pushCommit(repository.git.gitDir, 'pr', { 'models/iris/spec.yaml': 'a\n' }, { from: 'main' });
    const octokit = octokitWith(fake, { contents: 'write' });
    const repo = { owner: 'acme', repo: 'write', path: 'models.lock.json' };
    const created = await octokit.rest.repos.createOrUpdateFileContents({ ...repo, branch: 'pr', message: 'Lock: add', content: base64('{"v":1}\n') });
    expect(created.status).toBe(201);
    const replaced = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo, branch: 'pr', message: 'Lock: bump', content: base64('{"v":2}\n'), sha: created.data.content!.sha!,
      committer: { name: 'mlship', email: 'mlship@example.com' },
    });
    expect(replaced.status).toBe(200);
    expect(gitLog(repository.git.gitDir, 'pr', '%s|%cn')).toEqual(['Lock: bump|mlship', 'Lock: add|github-actions[bot]', 'Change models/iris/spec.yaml|Test Developer', 'Initial commit|Test Developer']);
    expect(git(['--git-dir', repository.git.gitDir, 'show', 'pr:models.lock.json'])).toBe('{"v":2}');
    expect(gitLog(repository.git.gitDir, 'main')).toEqual(['Initial commit']);
  });

  it('answers 409 for a stale sha and 422 when replacing without one', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'stale', { 'models.lock.json': '{"v":1}\n' });
    const octokit = octokitWith(fake, { contents: 'write' });
    const repo = { owner: 'acme', repo: 'stale', path: 'models.lock.json' };
    const { data } = await octokit.rest.repos.getContent(repo);
    const staleSha = (data as { sha: string }).sha;
    pushCommit(repository.git.gitDir, 'main', { 'models.lock.json': '{"v":"theirs"}\n' });
    const stale = await failure(octokit.rest.repos.createOrUpdateFileContents({ ...repo, message: 'm', content: base64('{"v":2}'), sha: staleSha }));
    expect(stale.status).toBe(409);
    const missing = await failure(octokit.rest.repos.createOrUpdateFileContents({ ...repo, message: 'm', content: base64('{"v":2}') }));
    expect(missing.status).toBe(422);
    expect(git(['--git-dir', repository.git.gitDir, 'show', 'main:models.lock.json'])).toBe('{"v":"theirs"}');
  });
});

describe('commits, comparisons and pull requests from git', () => {
  it('reads one commit with its files, and compares two refs with statuses from git diff', async () => {
    const fake = github.get();
    const { repository, main } = await repositoryWith(fake, 'compare', { 'a.txt': 'a\n', 'b.txt': 'b\nb\n', 'c.txt': 'same content to follow a rename\n' });
    const gitDir = repository.git.gitDir;
    pushCommit(gitDir, 'topic', { 'a.txt': 'a2\n', 'b.txt': null, 'new.txt': 'n\n' }, { from: 'main' });
    git(['--git-dir', gitDir, 'fetch', '--quiet', gitDir, 'refs/heads/topic:refs/heads/rename-base']);
    const head = pushCommit(gitDir, 'topic', { 'c.txt': null, 'renamed.txt': 'same content to follow a rename\n' });
    const octokit = octokitWith(fake, { contents: 'read' });
    const repo = { owner: 'acme', repo: 'compare' };
    const { data: commit } = await octokit.rest.repos.getCommit({ ...repo, ref: 'topic' });
    expect(commit.sha).toBe(head);
    expect(commit.files?.map((f) => [f.status, f.filename, f.previous_filename])).toEqual([['renamed', 'renamed.txt', 'c.txt']]);
    const { data: cmp } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...topic' });
    expect(cmp).toMatchObject({ status: 'ahead', ahead_by: 2, behind_by: 0, total_commits: 2, merge_base_commit: { sha: main } });
    expect(cmp.commits.map((c) => c.sha).at(-1)).toBe(head);
    expect(cmp.files?.map((f) => [f.filename, f.status, f.additions, f.deletions]).sort()).toEqual([
      ['a.txt', 'modified', 1, 1], ['b.txt', 'removed', 0, 2], ['new.txt', 'added', 1, 0], ['renamed.txt', 'renamed', 0, 0],
    ]);
    const back = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'topic...main' });
    expect(back.data).toMatchObject({ status: 'behind', behind_by: 2 });
    expect((await failure(octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: 'main...nope' }))).status).toBe(404);
  });

  it('serves a fork’s pull request: head repository differs, files paginated', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'upstream', { 'README.md': 'r\n' });
    const fork = await fake.createRepository({ owner: 'outsider', name: 'upstream', forkOf: 'acme/upstream', ownerType: 'User' });
    git(['--git-dir', fork.git.gitDir, 'fetch', '--quiet', repository.git.gitDir, 'refs/heads/main:refs/heads/main']);
    const files = Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`models/m${String(i).padStart(2, '0')}/spec.yaml`, `n: ${i}\n`]));
    const headSha = pushCommit(fork.git.gitDir, 'add-models', files, { from: 'main' });
    const pull = await fake.addPullRequest({ repository: 'acme/upstream', head: { ref: 'add-models', repository: 'outsider/upstream' } });
    const octokit = octokitWith(fake, { contents: 'read', pull_requests: 'read' });
    const { data } = await octokit.rest.pulls.get({ owner: 'acme', repo: 'upstream', pull_number: pull.number });
    expect(data).toMatchObject({ head: { sha: headSha, ref: 'add-models', repo: { full_name: 'outsider/upstream', fork: true } }, base: { ref: 'main', repo: { full_name: 'acme/upstream' } }, changed_files: 35, commits: 1 });
    const listed = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: 'acme', repo: 'upstream', pull_number: pull.number });
    expect(listed.map((f) => f.filename)).toEqual(Object.keys(files));
    expect(fake.requests.filter((r) => r.operationId === 'pulls/list-files')).toHaveLength(2);
    // the head commit is in the base repository, as refs/pull/N/head
    expect(git(['--git-dir', repository.git.gitDir, 'rev-parse', `refs/pull/${pull.number}/head`])).toBe(headSha);
  });
});
