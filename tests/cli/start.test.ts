import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { start } from '../../cli/start.ts';
import { run } from '../../cli/run.ts';
import { parseLock } from '../../registry/lock.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

describe('npm start on a fresh clone (train, publish to the local store, pin, serve)', () => {
  // What a new user has: a clone of the repository's committed state, with its committed lock.
  const cwd = path.join(tempDir('mlship-start-'), 'clone');
  git(REPO, 'clone', '--quiet', '--no-local', REPO, cwd);
  const committedLock = readFileSync(path.join(cwd, 'models.lock.json'), 'utf8');
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { cwd, env: {}, stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
  };
  const predictIris = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/models/iris:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }] }),
    });
    return res.json();
  };

  it('serves the committed pins, reproduced byte for byte, and leaves the clone clean', async () => {
    const pinned = parseLock(committedLock, 'models.lock.json');
    expect(Object.keys(pinned.models)).toEqual(['diabetes', 'iris', 'wine']);
    const { out, io: first } = io();
    const { code, server } = await start(first, { port: 0, workers: 1 });
    try {
      expect(code).toBe(0);
      expect(out.stdout).toContain(`Ready on http://localhost:${server.port}`);
      expect(await predictIris(server.port)).toEqual({ predictions: ['virginica'] });
      const served = (await (await fetch(`http://127.0.0.1:${server.port}/v1/models`)).json()) as { models: { name: string; version: string; sha256: string }[] };
      expect(served.models.map((m) => [m.name, m.version, m.sha256])).toEqual(Object.entries(pinned.models).map(([name, e]) => [name, e.version, e.sha256]));
    } finally {
      await server.close();
    }
    expect(out.stdout).toMatch(/published iris [0-9a-f]{12}/);
    expect(out.stdout).toContain('models.lock.json: unchanged');
    expect(git(cwd, 'status', '--porcelain')).toBe('');
    const { out: verified, io: v } = io();
    expect(await run(['verify'], v)).toBe(0);
    expect(verified.stdout).toContain('3 models verified');
  });

  it('serves a locally changed model as the new candidate, gated against the champion, with the lock diff of that model only', async () => {
    const before = parseLock(committedLock, 'models.lock.json');
    // One measurement corrected (the row count, and so the seeded split, stays the same).
    const csv = path.join(cwd, 'models/iris/iris.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace(/5\.9,3,5\.1,1\.8,virginica(\r?\n)$/, '5.9,3,5.1,1.9,virginica$1'));
    const { out, io: second } = io();
    const { code, server } = await start(second, { port: 0, workers: 1 });
    try {
      expect(out.stderr).toBe('');
      expect(out.stdout).not.toContain('FAIL');
      expect(code).toBe(0);
      expect(await predictIris(server.port)).toEqual({ predictions: ['virginica'] });
    } finally {
      await server.close();
    }
    expect(out.stdout).toMatch(/accuracy [\d.]+ vs champion [0-9a-f]{12}/);
    expect(out.stdout).toContain('models.lock.json: updated');
    const after = parseLock(readFileSync(path.join(cwd, 'models.lock.json'), 'utf8'), 'models.lock.json');
    expect(after.models.wine).toEqual(before.models.wine);
    expect(after.models.diabetes).toEqual(before.models.diabetes);
    expect(after.models.iris!.version).not.toBe(before.models.iris!.version);
    expect(after.models.iris!.inputs).toEqual({ ...before.models.iris!.inputs, data: expect.not.stringMatching(before.models.iris!.inputs!.data) });
    expect(after.models.iris!.source).toEqual({ commit: null, spec: 'models/iris/model.yaml' }); // a dirty tree names no commit
    expect(git(cwd, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([' M models.lock.json', ' M models/iris/iris.csv']);
  });
});
