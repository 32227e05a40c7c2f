import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

async function mlship(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { cwd, env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/** A copy of the repository's models and committed lock. */
function copyOfRepo(): string {
  const dir = path.join(tempDir('mlship-reproduce-'), 'repo');
  cpSync(path.join(REPO, 'models'), path.join(dir, 'models'), { recursive: true });
  cpSync(path.join(REPO, 'models.lock.json'), path.join(dir, 'models.lock.json'));
  return dir;
}

describe('mlship verify --reproduce', () => {
  it('passes on the repository: every pin rebuilds byte for byte from the committed models', async () => {
    const r = await mlship(['verify', '--reproduce'], REPO);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^✓ diabetes [0-9a-f]{12} {2}reproduced/m);
    expect(r.stdout).toContain('models.lock.json: 3 models reproduced byte for byte from the working tree');
    expect(r.code).toBe(0);
  });

  it('one changed data row is "drifted", naming the data input and both digests, and exits 1; a deleted folder is "missing"', async () => {
    const dir = copyOfRepo();
    const csv = path.join(dir, 'models/wine/wine.csv');
    const lines = readFileSync(csv, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^([0-9.]+)/, (v) => String(Number(v) + 0.5));
    writeFileSync(csv, lines.join('\n'));
    rmSync(path.join(dir, 'models/diabetes'), { recursive: true });
    const lock = JSON.parse(readFileSync(path.join(dir, 'models.lock.json'), 'utf8'));

    const r = await mlship(['verify', '--reproduce', '--json'], dir);
    expect(r.code).toBe(1);
    const [diabetes, iris, wine] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(diabetes).toEqual({ name: 'diabetes', status: 'missing', version: lock.models.diabetes.version, folder: 'models/diabetes' });
    expect(iris).toMatchObject({ name: 'iris', status: 'reproduced' });
    expect(wine).toMatchObject({ name: 'wine', status: 'drifted', pinned: { sha256: lock.models.wine.sha256 }, inputsUnknown: false });
    expect(wine.rebuilt.sha256).not.toBe(lock.models.wine.sha256);
    expect(wine.changed).toEqual([{ input: 'data', pinned: lock.models.wine.inputs.data, now: expect.stringMatching(/^[0-9a-f]{64}$/) }]);

    const text = await mlship(['verify', '--reproduce'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`✗ wine ${lock.models.wine.version}  drifted: the lock pins sha256 ${lock.models.wine.sha256}, the working tree rebuilds version ${wine.rebuilt.version}`);
    expect(text.stdout).toContain(`data changed (pinned ${lock.models.wine.inputs.data.slice(0, 12)}, now ${wine.changed[0].now.slice(0, 12)})`);
    expect(text.stdout).toContain('✗ diabetes');
    expect(text.stdout).toContain('missing: the lock pins it, but models/diabetes/ is not in the working tree');
    expect(text.stdout).toContain('models.lock.json: 2 of 3 models not reproduced from the working tree');
  });

  it('names the spec when only the spec changed, and needs no store', async () => {
    const dir = copyOfRepo();
    const spec = path.join(dir, 'models/iris/model.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/maxDepth: \d+/, 'maxDepth: 2'));
    const r = await mlship(['verify', '--reproduce', '--json'], dir, { MLSHIP_STORE: 's3://no-such-bucket-anywhere' });
    expect(r.code).toBe(1);
    const iris = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((m) => m.name === 'iris');
    expect(iris.changed.map((c: { input: string }) => c.input)).toEqual(['spec']);
    expect((await mlship(['verify', '--reproduce', '--store', 'file://x'], dir)).stderr).toMatch(/--reproduce .* reads no store/);
  });
});

describe('model identity does not depend on the commit', () => {
  it('trains byte-identical artifacts at two commits that differ only in the README, and publishing on the lock commit changes nothing', async () => {
    const dir = path.join(tempDir('mlship-commits-'), 'team');
    cpSync(path.join(REPO, 'models/iris'), path.join(dir, 'models/iris'), { recursive: true });
    writeFileSync(path.join(dir, 'README.md'), '# team models\n');
    writeFileSync(path.join(dir, '.gitignore'), '.mlship/\n');
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'iris');
    const first = git(dir, 'rev-parse', 'HEAD');

    const a = await mlship(['train', 'models/iris', '--out', '.mlship/a', '--json'], dir);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).commit).toBe(first); // a clean folder names its commit
    writeFileSync(path.join(dir, 'README.md'), '# team models\n\nNow with a README change.\n');
    git(dir, 'commit', '--quiet', '-am', 'docs');
    const second = git(dir, 'rev-parse', 'HEAD');
    const b = await mlship(['train', 'models/iris', '--out', '.mlship/b', '--json'], dir);
    expect(JSON.parse(b.stdout).commit).toBe(second);
    const bytesA = readFileSync(path.join(dir, '.mlship/a/iris/model.json'));
    expect(readFileSync(path.join(dir, '.mlship/b/iris/model.json')).equals(bytesA)).toBe(true);
    expect(JSON.parse(b.stdout).version).toBe(JSON.parse(a.stdout).version);

    // The pipeline publishes the candidate trained at the first commit, then commits the lock.
    expect((await mlship(['publish', '.mlship/a/iris/model.json', '--commit', first], dir)).code).toBe(0);
    git(dir, 'add', 'models.lock.json');
    git(dir, 'commit', '--quiet', '-m', 'mlship: pin iris');
    const lockCommit = git(dir, 'rev-parse', 'HEAD');
    const lockText = readFileSync(path.join(dir, 'models.lock.json'), 'utf8');
    expect(JSON.parse(lockText).models.iris.source.commit).toBe(first);

    // Rerun on its own lock commit: the same version, already published, and no lock change.
    const c = await mlship(['train', 'models/iris', '--out', '.mlship/c', '--json'], dir);
    expect(readFileSync(path.join(dir, '.mlship/c/iris/model.json')).equals(bytesA)).toBe(true);
    const again = await mlship(['publish', '.mlship/c/iris/model.json', '--commit', lockCommit], dir);
    expect(again.stdout).toContain(`already published iris ${JSON.parse(c.stdout).version}`);
    expect(again.stdout).toContain('models.lock.json: unchanged');
    expect(readFileSync(path.join(dir, 'models.lock.json'), 'utf8')).toBe(lockText);
    expect(git(dir, 'status', '--porcelain')).toBe('');

    // A dirty model folder names no commit.
    writeFileSync(path.join(dir, 'models/iris/notes.txt'), 'wip\n');
    expect(JSON.parse((await mlship(['train', 'models/iris', '--out', '.mlship/d', '--json'], dir)).stdout).commit).toBeNull();
  });
});

describe('mlship verify --reproduce and the lock entry spec path', () => {
  it('does not follow a source.spec that names a folder outside the repository or another model', async () => {
    const base = tempDir('mlship-reproduce-outside-');
    const dir = path.join(base, 'repo');
    cpSync(path.join(REPO, 'models'), path.join(dir, 'models'), { recursive: true });
    cpSync(path.join(REPO, 'models/iris'), path.join(base, 'outside/iris'), { recursive: true });
    rmSync(path.join(dir, 'models/iris'), { recursive: true });
    const lock = JSON.parse(readFileSync(path.join(REPO, 'models.lock.json'), 'utf8'));
    lock.models.iris.source.spec = '../outside/iris/model.yaml';
    lock.models.wine.source.spec = 'models/diabetes/model.yaml';
    writeFileSync(path.join(dir, 'models.lock.json'), `${JSON.stringify(lock, null, 2)}\n`);

    const r = await mlship(['verify', '--reproduce', '--json'], dir);
    expect(r.code).toBe(1);
    const models = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const iris = models.find((m) => m.name === 'iris');
    const wine = models.find((m) => m.name === 'wine');
    expect(iris.status).not.toBe('reproduced'); // models/iris/ is gone from the repository
    expect(wine).toMatchObject({ status: 'failed', error: { kind: 'LockError', place: { model: 'wine', field: 'source.spec' } } });
    expect(wine.error.message).toContain('models/wine/model.yaml');
  });
});

describe('the commit a model is trained at', () => {
  it('is null when the data file is ignored by git (the commit does not hold it)', async () => {
    const dir = path.join(tempDir('mlship-ignored-'), 'team');
    cpSync(path.join(REPO, 'models/iris'), path.join(dir, 'models/iris'), { recursive: true });
    writeFileSync(path.join(dir, '.gitignore'), '.mlship/\nmodels/iris/iris.csv\n');
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'iris without its data');
    const r = await mlship(['train', 'models/iris', '--out', '.mlship/a', '--json'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).commit).toBeNull();
  });
});
