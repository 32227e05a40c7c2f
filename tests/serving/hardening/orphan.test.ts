// `npx mlship serve` and SIGTERM: npm exits and, before, the server went on serving, orphaned.
// Here a parent process starts the server and exits without stopping it (what npm does): the
// server notices its parent is gone, drains and exits.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../helpers.ts';
import { ROOT, writeFixture } from '../helpers.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await writeFixture();
});
afterAll(() => fixture?.cleanup());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a server whose parent goes away', () => {
  it('stops by itself', async () => {
    const log = path.join(fixture.dir, 'serve.log');
    // The parent: starts the server (its output to a file, so nothing breaks when the parent goes),
    // prints its pid once it listens, and exits leaving it running.
    const parent = `
      const { spawn } = require('node:child_process');
      const fs = require('node:fs');
      const out = fs.openSync(${JSON.stringify(log)}, 'w');
      const child = spawn(process.execPath, ${JSON.stringify([path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '1'])}, { stdio: ['ignore', out, out] });
      const poll = setInterval(() => {
        if (fs.readFileSync(${JSON.stringify(log)}, 'utf8').includes('"listening"')) {
          clearInterval(poll);
          process.stdout.write(String(child.pid));
          process.exit(0);
        }
      }, 20);`;
    const proc = spawn(process.execPath, ['-e', parent], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    expect(await new Promise((resolve) => proc.on('exit', resolve))).toBe(0);
    const pid = Number(out);
    expect(pid).toBeGreaterThan(0);
    try {
      while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
      const records = (await readFile(log, 'utf8'))
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string });
      expect(records.some((r) => r.msg === 'stopped')).toBe(true);
      expect(await readFile(log, 'utf8')).toMatch(/the parent process \(pid \d+\) went away; stopping/);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
