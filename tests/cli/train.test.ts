import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { REPO, modelDir, tempDir } from '../helpers/temp.ts';

const root = tempDir();

async function mlship(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    cwd: REPO,
    env: { ...env },
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

const examples = ['models/iris', 'models/wine', 'models/diabetes'];

describe('mlship train', () => {
  it('writes artifacts and prints one JSON line per model', async () => {
    const out = path.join(root, 'out-json');
    const commit = 'feedface'.repeat(5);
    const { code, stdout, stderr } = await mlship(['train', ...examples, '--out', out, '--json'], { MLSHIP_COMMIT: commit });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.name)).toEqual(['iris', 'wine', 'diabetes']);
    for (const line of lines) {
      expect(line).toMatchObject({ version: expect.stringMatching(/^[0-9a-f]{12}$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), passed: true, commit });
      expect(line.gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
      expect(line.data.rows.train).toBeGreaterThan(0);
      expect(typeof line.trainMs).toBe('number');
      const file = path.join(out, line.name, 'model.json');
      expect(line.artifact).toBe(file);
      const artifact = JSON.parse(readFileSync(file, 'utf8'));
      expect(artifact).toMatchObject({ format: 'mlship.model/v2', name: line.name, version: line.version });
      expect(artifact.lineage.commit).toBeUndefined(); // provenance lives in the lock, not the artifact
    }
    expect(Object.keys(lines[0].metrics)).toEqual(expect.arrayContaining(['accuracy', 'macroF1']));
    expect(Object.keys(lines[2].metrics)).toEqual(expect.arrayContaining(['rmse', 'mae', 'r2']));
  });

  it('gives byte-identical artifacts when run twice', async () => {
    const a = path.join(root, 'twice-a');
    const b = path.join(root, 'twice-b');
    expect((await mlship(['train', ...examples, '--out', a])).code).toBe(0);
    expect((await mlship(['train', ...examples, '--out', b])).code).toBe(0);
    for (const name of ['iris', 'wine', 'diabetes']) {
      expect(readFileSync(path.join(a, name, 'model.json')).equals(readFileSync(path.join(b, name, 'model.json')))).toBe(true);
    }
  });

  it('prints a readable summary', async () => {
    const { code, stdout } = await mlship(['train', 'models/iris', '--out', path.join(root, 'summary')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ iris [0-9a-f]{12} {2}accuracy 0\.\d{4} {2}macroF1 0\.\d{4}/);
    expect(stdout).toContain('pass: accuracy');
  });

  it('exits 1 and writes nothing when a gate fails', async () => {
    const dir = modelDir(root, 'gated', {
      'model.yaml': 'task: classification\nalgorithm: cart\ndata: iris.csv\ntarget: species\nparams: { maxDepth: 1 }\ngates:\n  min: { accuracy: 0.99 }\n',
      'iris.csv': readFileSync(path.join(REPO, 'models/iris/iris.csv'), 'utf8'),
    });
    const out = path.join(root, 'gated-out');
    const { code, stdout } = await mlship(['train', dir, '--out', out, '--json']);
    expect(code).toBe(1);
    const line = JSON.parse(stdout);
    expect(line.passed).toBe(false);
    expect(line.gates).toEqual([{ metric: 'accuracy', kind: 'min', value: line.metrics.accuracy, bound: 0.99, passed: false }]);
    expect(line.artifact).toBeNull();
    expect(existsSync(path.join(out, 'gated', 'model.json'))).toBe(false);
  });

  it('exits 2 with one clear line for bad input, and still trains the other models', async () => {
    const bad = modelDir(root, 'badalgo', { 'model.yaml': 'task: classification\nalgorithm: boosted\ndata: d.csv\ntarget: y\n' });
    const { code, stdout, stderr } = await mlship(['train', bad, 'models/iris', '--out', path.join(root, 'bad-out')]);
    expect(code).toBe(2);
    expect(stderr).toBe(`✗ badalgo: ${path.join(bad, 'model.yaml')}, line 2, field "algorithm": must be one of "cart", "random-forest"\n`);
    expect(stdout).toContain('✓ iris');
  });

  it('reports file-system errors in one line, per model, without a stack', async () => {
    const missing = await mlship(['train', 'models/iris', '--champion', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("mlship train: ENOENT: no such file or directory, open '" + path.join(REPO, 'nope.json') + "'\n");
    const file = path.join(root, 'a-file');
    writeFileSync(file, '');
    const notDir = await mlship(['train', 'models/iris', 'models/wine', '--out', file]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^✗ iris: ENOTDIR/), expect.stringMatching(/^✗ wine: ENOTDIR/)]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await mlship(['train', 'models/iris'], { MLSHIP_COMMIT: 'main' })).stderr).toMatch(/MLSHIP_COMMIT must be a full commit id/);
    expect((await mlship(['train'])).code).toBe(2);
    expect((await mlship(['train', '--bogus'])).stderr).toMatch(/Unknown option '--bogus'/);
    expect((await mlship(['frobnicate'])).code).toBe(2);
  });

  it('runs as the installed `mlship` command, without a stack trace on bad data', () => {
    // `npx mlship` is how the package's `bin` is run in this repository (Node 24 first on PATH).
    const ok = execFileSync('npx', ['--no', 'mlship', 'train', 'models/iris', '--json', '--out', path.join(root, 'bin-out')], { cwd: REPO, encoding: 'utf8' });
    expect(JSON.parse(ok).name).toBe('iris');
    const dir = modelDir(root, 'textnum', {
      'model.yaml': 'task: regression\nalgorithm: cart\ndata: d.csv\ntarget: y\n',
      'd.csv': 'x,y\n1,2\n2,3\nthree,4\n',
    });
    const bad = spawnSync(process.execPath, [path.join(REPO, 'cli/main.ts'), 'train', dir], { cwd: REPO, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('d.csv, line 4, row 3, column "x": "three" is not a number');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('mlship version', () => {
  it('is package.json\'s version (kept in cli/version.ts so the serving bundle does not carry package.json)', async () => {
    const { MLSHIP_VERSION } = await import('../../cli/version.ts');
    expect(MLSHIP_VERSION).toBe(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
  });
});
