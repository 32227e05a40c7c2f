// The serving bundle (actions/lib/serving-bundle.ts): one file, built twice byte for byte the same,
// that serves a trained example from a folder with no node_modules: 2 cluster workers (the same
// file re-run by cluster.fork), a correct prediction over HTTP, and exit 0 on SIGTERM.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleServing } from '../../actions/lib/serving-bundle.ts';
import type { Fixture } from './helpers.ts';
import { ROOT, spawnServe, writeFixture } from './helpers.ts';

/** The repository's Node 24: this one when vitest runs on it (npx puts it first on the PATH). */
const NODE = process.versions.node.startsWith('24.') ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node');

let dir: string;
let fixture: Fixture;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mlship-bundle-'));
  fixture = await writeFixture();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await fixture?.cleanup();
});

describe('serving bundle', () => {
  it('is deterministic: two builds of the same sources are byte-identical', async () => {
    const a = await bundleServing({ outfile: path.join(dir, 'a/serve.mjs') });
    const b = await bundleServing({ outfile: path.join(dir, 'b/serve.mjs') });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    expect((await readFile(b.outfile)).equals(await readFile(a.outfile))).toBe(true);
  });

  it('is ASCII, without comments or zod\'s other locales: every worker keeps its source, at one byte a character only if ASCII', async () => {
    const { outfile } = await bundleServing({ outfile: path.join(dir, 'text/serve.mjs') });
    const text = await readFile(outfile, 'latin1');
    expect(text.match(/[^ -~\t\n\r].{0,40}/g) ?? []).toEqual([]);
    expect(text.includes('Why a model is not served.')).toBe(false); // a doc comment of serving/verify.ts
    expect(/Tipus d'uni|Entrada inv/.test(text)).toBe(false); // zod's Catalan messages
    expect(text.includes('Invalid input')).toBe(true); // its English ones
    expect(text.includes(ROOT)).toBe(false); // modules named relative to the checkout, the locales' stand-in too
  });

  it('serves a trained example with 2 workers from one file, and exits 0 on SIGTERM', async () => {
    expect(existsSync(NODE), NODE).toBe(true);
    const { outfile } = await bundleServing({ outfile: path.join(dir, 'run/serve.mjs') });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_')));
    const server = await spawnServe(NODE, [outfile, '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '2'], {
      cwd: path.dirname(outfile), // nothing of the repository's around it: no node_modules
      env,
    });
    const { port, records } = server;
    try {
      expect(records.find((r) => r.msg === 'listening' && r.role === 'primary')).toMatchObject({ workers: 2 });
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 200 && (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${url}/v1/models/iris:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }, [6.7, 3.0, 5.2, 2.3]] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ predictions: ['setosa', 'virginica'] });
      const server = (await (await fetch(`${url}/v2`)).json()) as { version: string };
      expect(server.version).toBe(JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toBe('');
  });
});
