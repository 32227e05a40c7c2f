import { describe, expect, it } from 'vitest';
import { githubClient } from '../../../actions/lib/github/client.ts';
import { commitLock, lockCommitMessage, readLockAt } from '../../../actions/lib/pr/lock-commit.ts';
import type { Lock, LockEntry } from '../../../registry/lock.ts';
import { emptyLock, formatLock, pinEntry, unpinEntry } from '../../../registry/lock.ts';
import { WRITE_ALL, repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { git, gitLog, pushCommit } from '../../fakes/github/test-git.ts';
import { rejected } from '../../helpers/errors.ts';

const github = useGitHubFake();

const entry = (version: string, commit: string): LockEntry => ({
  version, sha256: 'c'.repeat(64), task: 'classification', metrics: { accuracy: 0.9 },
  inputs: { spec: 'd'.repeat(64), data: 'e'.repeat(64), holdout: null, trainer: 'mlship-cart/1' },
  source: { commit, spec: 'models/iris/model.yaml' },
});

async function branchWithLock(name: string, lock: Lock) {
  const fake = github.get();
  const { repository, main } = await repositoryWith(fake, name, { 'models.lock.json': formatLock(lock), 'models/iris/model.yaml': 'task: classification\n' });
  const head = pushCommit(repository.git.gitDir, 'change-iris', { 'models/iris/iris.csv': 'a,b\n' }, { from: 'main' });
  const client = githubClient(fake.addToken({ permissions: WRITE_ALL }).token, fake.url);
  return { fake, repository, main, head, client, repo: { owner: 'acme', repo: name } };
}

describe('commitLock', () => {
  it('commits the changed lock on the branch tip, as one bot commit naming the models and versions', async () => {
    const old = pinEntry(pinEntry(emptyLock(), 'iris', entry('111111111111', 'a'.repeat(40))), 'gone', entry('222222222222', 'a'.repeat(40)));
    const { repository, head, client, repo } = await branchWithLock('lock-commit', old);
    const result = await commitLock(client, { repo, branch: 'change-iris', headRepository: 'acme/lock-commit', change: (l) => unpinEntry(pinEntry(l, 'iris', entry('333333333333', head)), 'gone') });
    expect(result).toMatchObject({ parent: head, attempts: 1 });
    const log = gitLog(repository.git.gitDir, 'change-iris', '%H %P %an|%s');
    expect(log[0]).toBe(`${result.commit} ${head} github-actions[bot]|mlship: pin iris 333333333333; unpin gone`);
    const committed = git(['--git-dir', repository.git.gitDir, 'show', 'change-iris:models.lock.json']);
    expect(`${committed}\n`).toBe(formatLock(result.lock));
    expect(Object.keys(result.lock.models)).toEqual(['iris']);
    // the rest of the branch's tree is kept
    expect(git(['--git-dir', repository.git.gitDir, 'show', 'change-iris:models/iris/iris.csv'])).toBe('a,b');
    expect(git(['--git-dir', repository.git.gitDir, 'log', '-1', '--format=%b', 'change-iris'])).toContain('iris: 111111111111 → 333333333333');
  });

  it('makes no commit when the lock is already current', async () => {
    const lock = pinEntry(emptyLock(), 'iris', entry('111111111111', 'a'.repeat(40)));
    const { fake, repository, head, client, repo } = await branchWithLock('lock-current', lock);
    const before = fake.requests.length;
    const result = await commitLock(client, { repo, branch: 'change-iris', headRepository: 'acme/lock-current', change: (l) => pinEntry(l, 'iris', entry('111111111111', head)) });
    expect(result).toMatchObject({ commit: null, parent: head });
    expect(gitLog(repository.git.gitDir, 'change-iris', '%H')[0]).toBe(head);
    expect(fake.requests.slice(before).map((r) => r.operationId)).toEqual(['git/get-ref', 'repos/get-content']);
  });

  it('reads again and retries when the branch moved between reading and the ref update, keeping the other commit', async () => {
    const { repository, client, repo } = await branchWithLock('lock-race', emptyLock());
    let calls = 0;
    let theirs = '';
    const result = await commitLock(client, {
      repo, branch: 'change-iris', headRepository: 'acme/lock-race',
      change: (l) => {
        // someone pushes while the first attempt is being built
        if (++calls === 1) theirs = pushCommit(repository.git.gitDir, 'change-iris', { 'README.md': 'pushed meanwhile\n' });
        return pinEntry(l, 'iris', entry('444444444444', 'f'.repeat(40)));
      },
    });
    expect(result.attempts).toBe(2);
    expect(gitLog(repository.git.gitDir, 'change-iris', '%H %P').slice(0, 2)).toEqual([`${result.commit} ${theirs}`, expect.stringMatching(new RegExp(`^${theirs} `))]);
  });

  it('gives up after the bounded number of attempts when the branch keeps moving', async () => {
    const { repository, client, repo } = await branchWithLock('lock-busy', emptyLock());
    const message = await rejected(commitLock(client, {
      repo, branch: 'change-iris', headRepository: 'acme/lock-busy', attempts: 3,
      change: (l) => {
        pushCommit(repository.git.gitDir, 'change-iris', { 'README.md': `${Math.random()}\n` });
        return pinEntry(l, 'iris', entry('555555555555', 'f'.repeat(40)));
      },
    }));
    expect(message).toBe('the branch change-iris kept moving: gave up after 3 attempts');
  });

  it('never writes to a fork', async () => {
    const { fake, client, repo } = await branchWithLock('lock-fork', emptyLock());
    const before = fake.requests.length;
    expect(await rejected(commitLock(client, { repo, branch: 'change-iris', headRepository: 'someone/lock-fork', change: (l) => l }))).toBe(
      'the pull request\'s branch is in someone/lock-fork, a fork: mlship never writes to a fork',
    );
    expect(fake.requests.length).toBe(before);
  });

  it('reads a missing lock as an empty one, and names the ref in a broken one’s errors', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'lock-none', { 'README.md': 'r\n' });
    const client = githubClient(fake.addToken({ permissions: { contents: 'read' } }).token, fake.url);
    expect(await readLockAt(client, { owner: 'acme', repo: 'lock-none' }, main)).toEqual({ lock: emptyLock(), text: undefined });
    const { main: broken } = await repositoryWith(fake, 'lock-broken', { 'models.lock.json': '{"lockfileVersion": 2, "models": {"iris": {}}}' });
    expect(await rejected(readLockAt(client, { owner: 'acme', repo: 'lock-broken' }, broken))).toBe(`models.lock.json@${broken.slice(0, 12)}, model "iris", field "version": is required`);
  });
});

describe('lockCommitMessage', () => {
  it('names new and changed pins, and unpinned models', () => {
    const before = pinEntry(pinEntry(emptyLock(), 'a', entry('111111111111', 'a'.repeat(40))), 'b', entry('222222222222', 'a'.repeat(40)));
    const after = pinEntry(pinEntry(unpinEntry(before, 'b'), 'a', entry('333333333333', 'a'.repeat(40))), 'c', entry('444444444444', 'a'.repeat(40)));
    expect(lockCommitMessage(before, after).split('\n')[0]).toBe('mlship: pin a 333333333333, c 444444444444; unpin b');
  });
});
