import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('mlship publish', () => {
  it('takes an empty MLSHIP_COMMIT as unset, as train does (no commit: null in the lock)', async () => {
    const dir = tempDir('mlship-publish-cli-');
    cpSync(path.join(REPO, 'models/iris'), path.join(dir, 'models/iris'), { recursive: true });
    const env = { MLSHIP_COMMIT: '' };
    expect((await mlship(['train', 'models/iris', '--out', 'out'], dir, env)).code).toBe(0);
    const r = await mlship(['publish', 'out/iris/model.json', '--store', 'file://store'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'models.lock.json'), 'utf8')).models.iris.source.commit).toBeNull();
  });

  it('leaves a v1 lock file as it is when nothing could be published', async () => {
    const dir = tempDir('mlship-publish-v1-');
    const v1 = `${JSON.stringify({ lockfileVersion: 1, models: {} }, null, 2)}\n`;
    writeFileSync(path.join(dir, 'models.lock.json'), v1);
    writeFileSync(path.join(dir, 'bad.json'), '{}');
    const r = await mlship(['publish', 'bad.json', '--store', 'file://store'], dir);
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(dir, 'models.lock.json'), 'utf8')).toBe(v1);
    expect(r.stdout).toContain('models.lock.json: unchanged');
  });

  it('creates no lock file when nothing could be published', async () => {
    const dir = tempDir('mlship-publish-none-');
    writeFileSync(path.join(dir, 'bad.json'), '{}');
    expect((await mlship(['publish', 'bad.json', '--store', 'file://store'], dir)).code).toBe(2);
    expect(existsSync(path.join(dir, 'models.lock.json'))).toBe(false);
  });
});
