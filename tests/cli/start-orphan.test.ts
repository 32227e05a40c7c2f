// `npm start` and SIGTERM to npm: npm exits and, before, the server (and its job worker and
// embedded database) went on running, orphaned. Here a parent starts `cli/start.ts` and exits once
// it is ready, without stopping it (what npm does): the server notices and stops, children too.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive as alive, processesNaming } from '../helpers/processes.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

describe('npm start whose parent goes away', () => {
  it('stops, with its job worker and embedded database', { timeout: 240_000 }, async () => {
    const cwd = path.join(tempDir('mlship-start-orphan-'), 'clone');
    execFileSync('git', ['clone', '--quiet', '--no-local', REPO, cwd]);
    const log = path.join(cwd, '..', 'start.log');
    const parent = `
      const { spawn } = require('node:child_process');
      const fs = require('node:fs');
      const out = fs.openSync(${JSON.stringify(log)}, 'w');
      const child = spawn(process.execPath, [${JSON.stringify(path.join(REPO, 'cli/start.ts'))}], { cwd: ${JSON.stringify(cwd)}, stdio: ['ignore', out, out], env: { ...process.env, MLSHIP_PORT: '0', MLSHIP_WORKERS: '1', DATABASE_URL: '' } });
      const poll = setInterval(() => {
        const text = fs.readFileSync(${JSON.stringify(log)}, 'utf8');
        if (text.includes('"job worker started"')) {
          clearInterval(poll);
          process.stdout.write(String(child.pid));
          process.exit(0);
        }
        if (child.exitCode !== null) process.exit(1);
      }, 50);`;
    const proc = spawn(process.execPath, ['-e', parent], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const parentCode = await new Promise((resolve) => proc.on('exit', resolve));
    const pid = Number(out);
    try {
      expect(parentCode, readFileSync(log, 'utf8')).toBe(0);
      expect(pid).toBeGreaterThan(0);
      while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(log, 'utf8')).toMatch(/the parent process \(pid \d+\) went away; stopping/);
      // the job worker and the database (their command lines name the clone)
      while (processesNaming(cwd).length > 0) await new Promise((r) => setTimeout(r, 200));
      expect(processesNaming(cwd)).toEqual([]);
    } finally {
      for (const p of [pid, ...processesNaming(cwd).map((q) => q.pid)]) if (p > 0 && alive(p)) process.kill(p, 'SIGKILL');
    }
  });
});
