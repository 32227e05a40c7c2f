// The serving bundle (actions/lib/serving-bundle.ts): an entry and its chunks, built twice byte for
// byte the same, that serves a trained example from a folder with no node_modules: 2 cluster
// workers (the entry re-run by cluster.fork), a correct prediction over HTTP, and exit 0 on SIGTERM.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleServing } from '../../actions/lib/serving-bundle.ts';
import type { Fixture } from './helpers.ts';
import { ROOT, spawnServe, writeFixture } from './helpers.ts';

/** The repository's Node 24: this one when vitest runs on it (npx puts it first on the PATH). */
const NODE = process.versions.node.startsWith('24.') ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node');
/**
 * Text only the parts a cluster worker never runs hold (each checked to be in the bundle): pg-boss,
 * pglite, the AWS SDK, the job runner, the serve command's flags.
 */
const LEFT_OUT = ['pgboss', 'PGlite', 'node_modules/@smithy/', 'job failed on its last attempt', 'MLSHIP_JOB_WORKERS'];

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
    // A leftover of an earlier build in b's chunk folder is gone after the build.
    await mkdir(path.join(dir, 'b/serve-chunks'), { recursive: true });
    await writeFile(path.join(dir, 'b/serve-chunks/chunk-OLD.mjs'), 'export {};\n');
    const b = await bundleServing({ outfile: path.join(dir, 'b/serve.mjs') });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    expect(a.entry).toBe('serve.mjs');
    expect(a.files.map((f) => f.path)).toContain('serve.mjs');
    expect(a.files.length).toBeGreaterThan(2); // the entry and chunks: the worker's, the primary's, the ones they share
    expect(a.files.every((f) => f.path === 'serve.mjs' || /^serve-chunks\/chunk-[0-9A-Z]+\.mjs$/.test(f.path))).toBe(true);
    expect(b.files.map((f) => f.path)).toEqual(a.files.map((f) => f.path));
    expect((await readdir(path.join(dir, 'b/serve-chunks'))).map((f) => `serve-chunks/${f}`).sort()).toEqual(b.files.map((f) => f.path).filter((p) => p !== 'serve.mjs'));
    for (const f of a.files) expect((await readFile(path.join(dir, 'b', f.path))).equals(await readFile(path.join(dir, 'a', f.path))), f.path).toBe(true);
    expect(a.bytes).toBe(a.files.reduce((n, f) => n + f.bytes.byteLength, 0));
  });

  it('is ASCII, without comments or zod\'s other locales: every worker keeps its source, at one byte a character only if ASCII', async () => {
    const { outfile, files } = await bundleServing({ outfile: path.join(dir, 'text/serve.mjs') });
    const text = (await Promise.all(files.map((f) => readFile(path.join(path.dirname(outfile), f.path), 'latin1')))).join('\n');
    expect(text.match(/[^ -~\t\n\r].{0,40}/g) ?? []).toEqual([]);
    expect(text.includes('Why a model is not served.')).toBe(false); // a doc comment of serving/verify.ts
    expect(/Tipus d'uni|Entrada inv/.test(text)).toBe(false); // zod's Catalan messages
    expect(text.includes('Invalid input')).toBe(true); // its English ones
    expect(text.includes(ROOT)).toBe(false); // modules named relative to the checkout, the locales' stand-in too
  });

  it('serves a trained example with 2 workers from the entry and its chunks, and exits 0 on SIGTERM', async () => {
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
      // bodies the fast checks refuse go to the zod schemas, a chunk a worker imports on the first such body
      for (const [route, body] of [['/v1/models/iris:predict', '{"instances":[[5.1,3.5,1.4,0.2]],"inputs":{}}'], ['/v2/models/iris/infer', '{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[1,2,3,4]}],"extra":1}']] as const) {
        const bad = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(bad.status, route).toBe(400);
        expect(((await bad.json()) as { error: string }).error, route).toMatch(/unknown field "(inputs|extra)"/);
      }
      const server = (await (await fetch(`${url}/v2`)).json()) as { version: string };
      expect(server.version).toBe(JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toBe('');
  });

  it('a cluster worker loads only its chunks: not the job runtime, pg-boss, pglite, the AWS SDK or the command line', async () => {
    // The module hook of tests/serving/lean-worker.test.ts, here on the bundle: which files each process resolves.
    const graphs = path.join(dir, 'graphs');
    await mkdir(graphs);
    const bundle = await bundleServing({ outfile: path.join(dir, 'lean/serve.mjs') });
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_'));
    const env = { ...Object.fromEntries(inherited), NODE_OPTIONS: `--import=${path.join(ROOT, 'tests/fixtures/module-graph-hook.mjs')}`, MLSHIP_TEST_GRAPH_DIR: graphs };
    // --drain-timeout 1: fetch's idle keep-alive connection is closed at the drain deadline (25 s by default).
    const args = [bundle.outfile, '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '2', '--drain-timeout', '1'];
    const server = await spawnServe(NODE, args, { cwd: path.dirname(bundle.outfile), env });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      for (let i = 0; i < 200 && (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${url}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' });
      expect(await res.json()).toEqual({ predictions: ['setosa'] });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    const reports = await Promise.all((await readdir(graphs)).map(async (f) => JSON.parse(await readFile(path.join(graphs, f), 'utf8')) as { role: string; modules: string[] }));
    const workers = reports.filter((r) => r.role === 'worker');
    expect(workers).toHaveLength(2);
    const all = bundle.files.map((f) => Buffer.from(f.bytes).toString('latin1')).join('\n');
    expect(LEFT_OUT.filter((marker) => !all.includes(marker))).toEqual([]);
    expect(all.includes('Invalid input')).toBe(true); // zod's English messages
    const byUrl = new Map(bundle.files.map((f) => [pathToFileURL(path.join(path.dirname(bundle.outfile), f.path)).href, f]));
    for (const w of workers) {
      const loaded = w.modules.filter((u) => byUrl.has(u)).map((u) => byUrl.get(u)!);
      const text = loaded.map((f) => Buffer.from(f.bytes).toString('latin1')).join('\n');
      expect(loaded.length).toBeGreaterThan(0);
      expect(text.includes('/v1/models/')).toBe(true); // the HTTP routes: it did load what it serves
      expect(LEFT_OUT.filter((marker) => text.includes(marker))).toEqual([]);
      // nor zod, which it loads on the first body its fast checks refuse: here none
      expect(text.includes('Invalid input')).toBe(false);
      // a small share of the bundle's source, the rest never parsed
      expect(loaded.reduce((n, f) => n + f.bytes.byteLength, 0)).toBeLessThan(bundle.bytes / 3);
    }
  });
});
