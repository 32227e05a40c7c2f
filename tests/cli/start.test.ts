import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { start } from '../../cli/start.ts';
import { run } from '../../cli/run.ts';
import { parseLock } from '../../registry/lock.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

describe('npm start (train, publish to the local store, pin in the lock)', () => {
  const cwd = tempDir('mlship-start-');
  cpSync(path.join(REPO, 'models'), path.join(cwd, 'models'), { recursive: true });
  writeFileSync(path.join(cwd, 'models.lock.json'), '{\n  "lockfileVersion": 1,\n  "models": {}\n}\n');
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { cwd, env: { MLSHIP_COMMIT: 'a'.repeat(40) }, stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } },
    };
  };

  it('publishes the examples and fills the lock', async () => {
    const { out, io: first } = io();
    expect(await start(first)).toBe(0);
    expect(out.stdout).toMatch(/published iris [0-9a-f]{12}/);
    const lock = parseLock(readFileSync(path.join(cwd, 'models.lock.json'), 'utf8'), 'models.lock.json');
    expect(Object.keys(lock.models)).toEqual(['diabetes', 'iris', 'wine']);
    expect(lock.models.iris!.uri).toBe(`file://${cwd}/.mlship/store/models/iris/${lock.models.iris!.version}/model.json`);
    expect(lock.models.iris!.source).toEqual({ commit: 'a'.repeat(40), spec: 'models/iris/model.yaml' });
    const { out: verified, io: v } = io();
    expect(await run(['verify'], v)).toBe(0);
    expect(verified.stdout).toContain('3 models verified');
  });

  it('changes nothing when run again, and gates against the pinned champions', async () => {
    const before = readFileSync(path.join(cwd, 'models.lock.json'));
    const { out, io: second } = io();
    expect(await start(second)).toBe(0);
    expect(out.stdout).toContain('already published iris');
    expect(out.stdout).toContain('models.lock.json: unchanged');
    expect(out.stdout).toMatch(/pass: accuracy [\d.]+ vs champion [0-9a-f]{12}/);
    expect(readFileSync(path.join(cwd, 'models.lock.json')).equals(before)).toBe(true);
  });
});
