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

  it('publishes the examples, fills the lock and serves what it pins', async () => {
    const { out, io: first } = io();
    const { code, server } = await start(first, { port: 0, workers: 1 });
    try {
      expect(code).toBe(0);
      expect(out.stdout).toContain(`Ready on http://localhost:${server.port}`);
      const base = `http://127.0.0.1:${server.port}`;
      const v1 = await fetch(`${base}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 }] }),
      });
      expect(await v1.json()).toEqual({ predictions: ['virginica'] });
      const models = (await (await fetch(`${base}/v1/models`)).json()) as { models: { name: string }[] };
      expect(models.models.map((m) => m.name).sort()).toEqual(['diabetes', 'iris', 'wine']);
    } finally {
      await server.close();
    }
    expect(out.stdout).toMatch(/published iris [0-9a-f]{12}/);
    const lock = parseLock(readFileSync(path.join(cwd, 'models.lock.json'), 'utf8'), 'models.lock.json');
    expect(Object.keys(lock.models)).toEqual(['diabetes', 'iris', 'wine']);
    expect(readFileSync(path.join(cwd, 'models.lock.json'), 'utf8')).not.toMatch(/file:|s3:|\/tmp\//);
    expect(lock.models.iris!.source).toEqual({ commit: 'a'.repeat(40), spec: 'models/iris/model.yaml' });
    const { out: verified, io: v } = io();
    expect(await run(['verify'], v)).toBe(0);
    expect(verified.stdout).toContain('3 models verified');
  });

  it('changes nothing when run again, and gates against the pinned champions', async () => {
    const before = readFileSync(path.join(cwd, 'models.lock.json'));
    const { out, io: second } = io();
    const { code, server } = await start(second, { port: 0, workers: 1 });
    await server.close();
    expect(code).toBe(0);
    expect(out.stdout).toContain('already published iris');
    expect(out.stdout).toContain('models.lock.json: unchanged');
    expect(out.stdout).toMatch(/pass: accuracy [\d.]+ vs champion [0-9a-f]{12}/);
    expect(readFileSync(path.join(cwd, 'models.lock.json')).equals(before)).toBe(true);
  });
});
