/**
 * deploy.yml's smoke test, run as it is written against a real mlship server on loopback, with
 * the lock of the models it serves, and with a lock that pins a version the server lacks.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpFront } from '../../serving/http.ts';
import { listenHttp } from '../../serving/http.ts';
import { createLogger } from '../../serving/log.ts';
import { Metrics } from '../../serving/metrics.ts';
import { stateWith } from '../../serving/state.ts';
import { tempDir } from '../helpers/temp.ts';
import { commandWorks, requireTool } from '../helpers/tools.ts';
import type { Fixture } from '../serving/helpers.ts';
import { servedExamples, writeFixture } from '../serving/helpers.ts';
import { workflow } from './files.ts';

const scratch = tempDir('mlship-smoke-');
const script = workflow('deploy.yml').jobs.flatMap((j) => j.steps).find((s) => s.name === 'Smoke test')?.run;

function runScript(cwd: string, url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script!], { cwd, env: { PATH: process.env.PATH, SERVICE_URL: url }, timeout: 60_000 });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

if (requireTool(commandWorks('jq', ['--version']) && commandWorks('curl', ['--version']), 'jq and curl', 'apt-get install jq curl')) {
  describe("deploy.yml's smoke test", () => {
    let front: HttpFront;
    let fixture: Fixture;
    let url: string;
    beforeAll(async () => {
      fixture = await writeFixture();
      const logger = createLogger(() => {});
      front = await listenHttp({ state: stateWith(await servedExamples()), limits: {}, logger, metrics: new Metrics(), port: 0, host: '127.0.0.1', version: '0.0.0-test' });
      url = `http://127.0.0.1:${front.port}/`; // a trailing slash, as a variable may have
    });
    afterAll(async () => {
      await front?.drain(1_000);
      await fixture?.cleanup();
    });

    it('is in deploy.yml', () => {
      expect(script).toContain('/v2/health/ready');
    });

    it('passes when the service is ready, serves every pinned version and predicts', async () => {
      const r = await runScript(fixture.dir, url);
      expect(r.output).toMatch(/ok: iris [0-9a-f]{12} predicts/);
      expect(r.output).toMatch(/ok: wine [0-9a-f]{12} predicts/);
      expect(r.output).toMatch(/ok: diabetes [0-9a-f]{12} predicts/);
      expect(r.code).toBe(0);
    });

    it('fails when the service does not serve a version the lock pins', async () => {
      const dir = path.join(scratch, 'moved');
      mkdirSync(dir);
      const lock = JSON.parse(await readFile(fixture.lockFile, 'utf8')) as { models: Record<string, { version: string }> };
      lock.models.wine!.version = '000000000000';
      await writeFile(path.join(dir, 'models.lock.json'), JSON.stringify(lock));
      const r = await runScript(dir, url);
      expect(r.code).not.toBe(0);
      expect(r.output).not.toMatch(/ok: wine/);
    });
  });
}
