// The job worker and embedded database `mlship serve` starts never outlive it: not after a start-up
// failure, not after the server is SIGKILLed; and the job worker loads with the server's limits.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesNaming } from '../../helpers/processes.ts';
import type { Fixture } from '../helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../helpers.ts';

const MAIN = path.join(ROOT, 'cli/main.ts');

async function untilGone(mark: string): Promise<void> {
  while (processesNaming(mark).length > 0) await new Promise((r) => setTimeout(r, 200));
}

/** Runs `mlship serve …` to its exit; its code and stderr. */
function runServe(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('the children of mlship serve', () => {
  let fixture: Fixture;
  let cwd: string;
  const env: NodeJS.ProcessEnv = { ...process.env, MLSHIP_WORKERS: '1' };
  delete env.DATABASE_URL;
  beforeAll(async () => {
    fixture = await writeFixture();
    cwd = await mkdtemp(path.join(tmpdir(), 'mlship-process-lifetime-'));
  });
  afterAll(async () => {
    for (const p of [...processesNaming(cwd), ...processesNaming(fixture.lockFile)]) process.kill(p.pid, 'SIGKILL');
    await fixture?.cleanup();
    await rm(cwd, { recursive: true, force: true });
  });

  it('a bad job flag fails before anything is started, with exit code 2', { timeout: 60_000 }, async () => {
    const { code, stderr } = await runServe(['--lock', fixture.lockFile, '--store', fixture.store, '--port', '0', '--api-keys', path.join(cwd, 'nonexistent.json')], env, cwd);
    expect(stderr).toMatch(/nonexistent\.json/);
    expect(code).toBe(2);
    expect(processesNaming(cwd)).toEqual([]);
  });

  it('the port in use: it exits, and stops the database it started', { timeout: 120_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, stderr } = await runServe(['--lock', fixture.lockFile, '--store', fixture.store, '--port', String(port), '--host', '127.0.0.1'], env, cwd);
      expect(stderr).toMatch(/in use/);
      expect(code).not.toBe(0);
      expect(processesNaming(cwd)).toEqual([]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  // PGlite's start takes a while on a busy machine
  it('SIGKILL of the server: the job worker and database stop by themselves; the pid file names the database', { timeout: 180_000 }, async () => {
    const server = await spawnServe(process.execPath, [MAIN, 'serve', '--lock', fixture.lockFile, '--store', fixture.store, '--port', '0', '--host', '127.0.0.1', '--max-artifact-bytes', '10'], { env, cwd });
    try {
      while (!server.records.some((r) => r.role === 'job-worker' && r.msg === 'job worker started')) {
        if (server.child.exitCode !== null) throw new Error(`serve exited: ${server.stderr()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // the job worker loads with the server's limits: no model fits in 10 bytes
      expect(server.records.find((r) => r.role === 'job-worker' && r.msg === 'job worker started')?.models).toEqual([]);
      const dbPid = Number(await readFile(path.join(cwd, '.mlship', 'jobs-db.pid'), 'utf8'));
      expect(dbPid).not.toBe(server.child.pid);
      expect(processesNaming(cwd).find((p) => p.pid === dbPid)?.args).toMatch(/jobs-db/);
      expect(processesNaming(fixture.lockFile).some((p) => / worker /.test(p.args))).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await untilGone(cwd); // the database
    await untilGone(fixture.lockFile); // the job worker
    expect(processesNaming(cwd)).toEqual([]);
  });
});
