import { lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubClient } from '../../../actions/lib/github/client.ts';
import { fetchModels, modelFoldersAt } from '../../../actions/lib/pr/fetch-models.ts';
import { repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import { git } from '../../fakes/github/test-git.ts';
import { rejected } from '../../helpers/errors.ts';
import { scratchDir } from './scenario.ts';

const github = useGitHubFake();

describe('fetching a pull request’s model folders through the contents API', () => {
  it('writes the files of the named models as bytes, nested folders too, and leaves symlinks and other folders out', async () => {
    const fake = github.get();
    const { repository, main } = await repositoryWith(fake, 'fetch', {
      'models/iris/model.yaml': 'task: classification\n', 'models/iris/data/iris.csv': 'a,b\r\n1,2\r\n', 'models/wine/model.yaml': 'w\n', 'training/x.ts': 'code\n', 'models/README.md': 'r\n',
    });
    // a symlink committed with git, pointing out of the folder
    const work = scratchDir('mlship-symlink-');
    git(['clone', '--quiet', repository.git.gitDir, work]);
    symlinkSync('/etc/passwd', path.join(work, 'models/iris/passwd'));
    git(['add', 'models/iris/passwd'], work);
    git(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '-m', 'link'], work);
    git(['push', '--quiet', 'origin', 'HEAD:main'], work);
    const head = git(['rev-parse', 'HEAD'], work);
    expect(head).not.toBe(main);

    const client = githubClient(fake.addToken({ permissions: { contents: 'read' } }).token, fake.url);
    const repo = { owner: 'acme', repo: 'fetch' };
    expect(await modelFoldersAt(client, repo, head)).toEqual(['iris', 'wine']);
    const dest = scratchDir('mlship-fetched-');
    const { skipped } = await fetchModels(client, repo, head, ['iris'], dest);
    expect(skipped).toEqual(['models/iris/passwd']);
    expect(readdirSync(path.join(dest, 'models'))).toEqual(['iris']);
    expect(readdirSync(path.join(dest, 'models/iris')).sort()).toEqual(['data', 'model.yaml']);
    expect(readFileSync(path.join(dest, 'models/iris/data/iris.csv'), 'utf8')).toBe('a,b\r\n1,2\r\n');
    expect(lstatSync(path.join(dest, 'models/iris/model.yaml')).isFile()).toBe(true);
  });

  it('stops at the limits on files and bytes', async () => {
    const fake = github.get();
    const { main } = await repositoryWith(fake, 'fetch-big', { 'models/a/model.yaml': 'x'.repeat(1000), 'models/a/b.csv': 'y'.repeat(1000) });
    const client = githubClient(fake.addToken({ permissions: { contents: 'read' } }).token, fake.url);
    const repo = { owner: 'acme', repo: 'fetch-big' };
    expect(await rejected(fetchModels(client, repo, main, ['a'], scratchDir('f-'), { maxFiles: 1, maxBytes: 1e6, maxDepth: 4 }))).toBe('the model folders hold more than 1 files');
    expect(await rejected(fetchModels(client, repo, main, ['a'], scratchDir('f-'), { maxFiles: 10, maxBytes: 1500, maxDepth: 4 }))).toBe('the model folders hold more than 1500 bytes');
  });
});
