// Cluster workers only receive compiled models from the primary, so they must not load what reads
// the store: no AWS SDK (about 125 MB RSS and 120 ms of start-up per process when they did). A
// module hook (tests/fixtures/module-graph-hook.mjs) records what each process of a real
// `mlship serve --workers 2` resolves.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerEnv, workerExecArgv } from '../../serving/cluster/primary.ts';
import type { Fixture } from './helpers.ts';
import { ROOT, spawnServe, writeFixture } from './helpers.ts';

const NODE = process.versions.node.startsWith('24.') ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node');
const HOOK = path.join(ROOT, 'tests/fixtures/module-graph-hook.mjs');

let fixture: Fixture;
let graphs: string;
beforeAll(async () => {
  fixture = await writeFixture();
  graphs = await mkdtemp(path.join(tmpdir(), 'mlship-graph-'));
});
afterAll(async () => {
  await fixture?.cleanup();
  await rm(graphs, { recursive: true, force: true });
});

describe('lean cluster workers', () => {
  it('a worker serves predictions without loading the AWS SDK (the primary reads the store)', async () => {
    // Without glibc malloc settings of the caller's: the primary then adds its own (workerEnv).
    const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_') && k !== 'MALLOC_MMAP_THRESHOLD_' && k !== 'GLIBC_TUNABLES');
    const env = { ...Object.fromEntries(inherited), NODE_OPTIONS: `--import=${HOOK}`, MLSHIP_TEST_GRAPH_DIR: graphs };
    const server = await spawnServe(NODE, [path.join(ROOT, 'cli/serve-entry.ts'), '--lock', fixture.lockFile, '--store', fixture.store, '--port', '0', '--host', '127.0.0.1', '--workers', '2'], { env });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      for (let i = 0; i < 200 && (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${url}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' });
      expect(await res.json()).toEqual({ predictions: ['setosa'] });
      // the cluster workers' environment (NODE_UNIQUE_ID: node:cluster's) has the malloc threshold the primary adds (workerEnv)
      const pid = server.child.pid!;
      const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/);
      const environs = await Promise.all(children.map(async (child) => (await readFile(`/proc/${child}/environ`, 'utf8')).split('\0')));
      const clusterWorkers = environs.filter((e) => e.some((v) => v.startsWith('NODE_UNIQUE_ID=')));
      expect(clusterWorkers).toHaveLength(2);
      for (const e of clusterWorkers) expect(e).toContain('MALLOC_MMAP_THRESHOLD_=32768');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    const files = await readdir(graphs);
    const reports = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(graphs, f), 'utf8')) as { role: string; modules: string[] }));
    const workers = reports.filter((r) => r.role === 'worker');
    expect(workers.length).toBeGreaterThanOrEqual(2);
    for (const w of workers) {
      // what it does load (so the hook saw its graph): the worker module and the HTTP stack
      expect(w.modules.some((u) => u.endsWith('/serving/cluster/worker.ts'))).toBe(true);
      expect(w.modules.some((u) => u.includes('/node_modules/hono/'))).toBe(true);
      expect(w.modules.filter((u) => /@aws-sdk|@smithy|\/registry\/store\//.test(u))).toEqual([]);
      // nor zod, while every body is well-formed (the fast checks, plain-bodies.ts; schema-fallback.ts loads it)
      expect(w.modules.filter((u) => u.includes('/node_modules/zod/'))).toEqual([]);
      // nor what parses and compiles artifacts: the primary sends its workers the compiled tables
      expect(w.modules.filter((u) => /\/(serving\/(verify|compile-predictor)|training\/(model|artifact|forest\/model-json))\.ts$/.test(u))).toEqual([]);
    }
  });
});

describe('worker flags', () => {
  it('4 MB young-generation semi-spaces unless the primary flags set a size (RSS stays flat over a soak)', () => {
    expect(workerExecArgv(['--enable-source-maps'])).toEqual(['--enable-source-maps', '--max-semi-space-size=4']);
    expect(workerExecArgv(['--max-semi-space-size=8'])).toEqual(['--max-semi-space-size=8']);
    expect(workerExecArgv(['--max_semi_space_size=8'])).toEqual(['--max_semi_space_size=8']);
    expect(workerExecArgv([], '--enable-source-maps --max-semi-space-size=16')).toEqual([]);
    expect(workerExecArgv([], '--max-old-space-size=512')).toEqual(['--max-semi-space-size=4']);
  });

  it('glibc returns freed blocks of 32 KB and more to the system (the parse of the bundle), unless the environment says how', () => {
    expect(workerEnv({})).toEqual({ MALLOC_MMAP_THRESHOLD_: '32768' });
    expect(workerEnv({ MALLOC_MMAP_THRESHOLD_: '131072' })).toEqual({});
    expect(workerEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536' })).toEqual({});
    expect(workerEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({ MALLOC_MMAP_THRESHOLD_: '32768' });
  });
});
