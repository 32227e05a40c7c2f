import { describe, expect, it } from 'vitest';
import { failure, octokitWith, repositoryWith, useGitHubFake } from './scenario.ts';
import { git, gitLog, pushCommit } from './test-git.ts';

const github = useGitHubFake();
const LOCK = 'models.lock.json';

/** What the publish workflow does: blob → tree on the branch's tree → commit → fast-forward the branch. */
async function commitLock(octokit: ReturnType<typeof octokitWith>, repo: { owner: string; repo: string }, branch: string, lock: string) {
  const { data: ref } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
  const { data: parent } = await octokit.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
  const { data: blob } = await octokit.rest.git.createBlob({ ...repo, content: Buffer.from(lock).toString('base64'), encoding: 'base64' });
  const { data: tree } = await octokit.rest.git.createTree({ ...repo, base_tree: parent.tree.sha, tree: [{ path: LOCK, mode: '100644', type: 'blob', sha: blob.sha }] });
  const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message: 'Lock: iris v2', tree: tree.sha, parents: [parent.sha] });
  return { parent: parent.sha, commit: commit.sha, update: () => octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: commit.sha }) };
}

describe('git data API on a real repository', () => {
  it('commits the lock file through blobs, trees, commits and refs, and git log shows it', async () => {
    const fake = github.get();
    const { repository, main } = await repositoryWith(fake, 'lock', { [LOCK]: '{"models":{}}\n', 'models/iris/spec.yaml': 'target: species\n' });
    const repo = { owner: 'acme', repo: 'lock' };
    const octokit = octokitWith(fake, { contents: 'write' });
    const lock = '{"models":{"iris":{"version":2}}}\n';
    const { commit, update } = await commitLock(octokit, repo, 'main', lock);
    const { data: ref } = await update();
    expect(ref).toMatchObject({ ref: 'refs/heads/main', object: { sha: commit, type: 'commit' } });
    const gitDir = repository.git.gitDir;
    expect(gitLog(gitDir, 'main', '%H %P %s')).toEqual([`${commit} ${main} Lock: iris v2`, `${main}  Initial commit`]);
    expect(git(['--git-dir', gitDir, 'show', `main:${LOCK}`])).toBe(lock.trim());
    // the rest of the tree is kept from base_tree
    expect(git(['--git-dir', gitDir, 'show', 'main:models/iris/spec.yaml'])).toBe('target: species');
    expect(gitLog(gitDir, 'main', '%an <%ae>')[0]).toBe('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
  });

  it('loses the compare-and-swap with 422 when the branch moved meanwhile, and keeps the other commit', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'race', { [LOCK]: '{}\n' });
    const repo = { owner: 'acme', repo: 'race' };
    const { update } = await commitLock(octokitWith(fake, { contents: 'write' }), repo, 'main', '{"a":1}\n');
    const theirs = pushCommit(repository.git.gitDir, 'main', { 'README.md': 'someone else\n' }, { message: 'Concurrent push' });
    const res = await failure(update());
    expect(res).toMatchObject({ status: 422, data: { message: 'Update is not a fast forward' } });
    expect(gitLog(repository.git.gitDir, 'main', '%H')[0]).toBe(theirs);
  });

  it('forces a non-fast-forward when asked, and refuses refs that do not exist', async () => {
    const fake = github.get();
    const { repository } = await repositoryWith(fake, 'force', { a: '1' });
    const octokit = octokitWith(fake, { contents: 'write' });
    const repo = { owner: 'acme', repo: 'force' };
    const { commit } = await commitLock(octokit, repo, 'main', '{}');
    pushCommit(repository.git.gitDir, 'main', { b: '2' });
    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: commit, force: true });
    expect(gitLog(repository.git.gitDir, 'main', '%H')[0]).toBe(commit);
    expect((await failure(octokit.rest.git.updateRef({ ...repo, ref: 'heads/nope', sha: commit }))).status).toBe(422);
    expect((await failure(octokit.rest.git.getRef({ ...repo, ref: 'heads/nope' }))).status).toBe(404);
  });

  it('creates a branch once, sees branches pushed with git, and deletes files with a null sha', async () => {
    const fake = github.get();
    const { repository, main } = await repositoryWith(fake, 'branches', { keep: 'k', drop: 'd' });
    const octokit = octokitWith(fake, { contents: 'write' });
    const repo = { owner: 'acme', repo: 'branches' };
    const { data: created } = await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/mlship/lock', sha: main });
    expect(created.ref).toBe('refs/heads/mlship/lock');
    expect(await failure(octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/mlship/lock', sha: main }))).toMatchObject({ status: 422, data: { message: 'Reference already exists' } });
    const pushed = pushCommit(repository.git.gitDir, 'feature/pushed', { x: '1' }, { from: 'main' });
    expect((await octokit.rest.git.getRef({ ...repo, ref: 'heads/feature/pushed' })).data.object.sha).toBe(pushed);
    const { data: base } = await octokit.rest.git.getCommit({ ...repo, commit_sha: main });
    const { data: tree } = await octokit.rest.git.createTree({ ...repo, base_tree: base.tree.sha, tree: [{ path: 'drop', mode: '100644', type: 'blob', sha: null }, { path: 'dir/new.txt', mode: '100644', type: 'blob', content: 'new' }] });
    expect(tree.tree.map((e) => [e.path, e.type])).toEqual([['dir', 'tree'], ['keep', 'blob']]);
  });

  it('refuses a tree entry that names a missing object, and a commit whose tree is missing', async () => {
    const fake = github.get();
    await repositoryWith(fake, 'bad-objects', { a: '1' });
    const octokit = octokitWith(fake, { contents: 'write' });
    const repo = { owner: 'acme', repo: 'bad-objects' };
    const missing = 'f'.repeat(40);
    expect((await failure(octokit.rest.git.createTree({ ...repo, tree: [{ path: 'x', mode: '100644', type: 'blob', sha: missing }] }))).status).toBe(422);
    expect(await failure(octokit.rest.git.createCommit({ ...repo, message: 'm', tree: missing, parents: [] }))).toMatchObject({ status: 422, data: { message: 'Tree SHA does not exist' } });
    expect((await failure(octokit.rest.git.createTree({ ...repo, tree: [{ path: 'x', mode: '100755', type: 'tree', sha: missing }] }))).status).toBe(422);
  });
});
