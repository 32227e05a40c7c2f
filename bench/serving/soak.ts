/**
 * Soak: is a worker's memory growth over about 1,000,000 single-row requests a leak? Two cluster
 * workers (server on CPU 0, wrk on CPU 1 when pinning is possible) take single-row v1 predictions
 * in wrk runs until 100,000 requests, then until 1,000,000; each worker's RSS is read from /proc
 * after start, after the first 100,000 and at the end. Flat means within 10% of the 100,000 figure.
 * At both points each worker also reports its live heap after two full collections
 * (heap-probe.mjs): flat live heap under growing RSS is heap capacity V8 kept, not a leak.
 *
 * `node bench/run.ts --only soak`; `SOAK_REQUESTS` shortens it while developing. It runs the serving
 * bundle (what the image runs); `SOAK_SOURCE=1` runs cli/main.ts instead.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterWorkerPids, pinning, rssMb, runWrk, waitUntil, wrkPostScript } from './harness.ts';
import { runAlone, withIrisServer } from './serve-process.ts';

const BODY = JSON.stringify({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] });
const CONNECTIONS = 16;
const here = path.dirname(fileURLToPath(import.meta.url));

export interface SoakResult {
  requests: number;
  workersMb: { afterStart: number[]; after100k: number[]; atEnd: number[] };
  /** Live heap after a full GC, per worker, at the same two points. */
  liveHeapMb: { after100k: number[]; atEnd: number[] };
  liveHeapGrowth: number;
  growthFrom100k: number;
  flat: boolean;
}

export async function benchSoak(log: (line: string) => void, total = Number(process.env.SOAK_REQUESTS ?? 1_000_000)): Promise<SoakResult> {
  log('## Serving soak');
  const pin = pinning();
  const heapDir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-heap-'));
  const env = { NODE_OPTIONS: `--import=${path.join(here, 'heap-probe.mjs')}`, MLSHIP_BENCH_HEAP_DIR: heapDir };
  // The serving bundle (what the image runs) unless SOAK_SOURCE=1: no type stripping in the process.
  const bundle = process.env.SOAK_SOURCE !== '1';
  return withIrisServer('soak', { workers: 2, prefix: pin.server, env, bundle }, async (serve, dir) => {
    const script = wrkPostScript(path.join(dir, 'single.lua'), BODY, 'application/json');
    const workers = () => clusterWorkerPids(serve.child.process.pid!);
    const rss = () => workers().map(rssMb);
    const afterStart = rss();
    /** Each worker's live heap after a full GC (heap-probe.mjs answers SIGUSR2). */
    const liveHeap = async () => {
      const pids = workers();
      for (const p of pids) rmSync(path.join(heapDir, `${p}.json`), { force: true });
      for (const p of pids) process.kill(p, 'SIGUSR2');
      await waitUntil(async () => pids.every((p) => existsSync(path.join(heapDir, `${p}.json`))), 10_000, 'the heap probes');
      await new Promise((r) => setTimeout(r, 100)); // the file is complete
      return pids.map((p) => (JSON.parse(readFileSync(path.join(heapDir, `${p}.json`), 'utf8')) as { heapUsed: number }).heapUsed / 2 ** 20);
    };
    let done = 0;
    const runUntil = (target: number, seconds: number) => {
      while (done < target) {
        const r = runWrk(pin.client, `${serve.url}/v1/models/iris:predict`, script, CONNECTIONS, seconds);
        if (r.non2xx || r.socketErrors) throw new Error(`soak: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors`);
        done += r.requests;
      }
    };
    runUntil(Math.min(100_000, total), 1); // short runs: close to 100,000
    const after100k = rss();
    const heap100k = await liveHeap();
    const at100k = done;
    runUntil(total, 5);
    const atEnd = rss();
    const heapEnd = await liveHeap();
    const liveHeapGrowth = Math.max(...heapEnd.map((mb, i) => mb / heap100k[i]! - 1));
    const growthFrom100k = Math.max(...atEnd.map((mb, i) => mb / after100k[i]! - 1));
    const fmt = (xs: number[]) => xs.map((x) => `${x.toFixed(1)} MB`).join(', ');
    log(`2 workers (${bundle ? 'the serving bundle' : 'from source'}), single-row v1 predict, wrk -c${CONNECTIONS}; worker RSS after start: ${fmt(afterStart)}`);
    log(`after ${at100k.toLocaleString('en-US')} requests: ${fmt(after100k)}; after ${done.toLocaleString('en-US')}: ${fmt(atEnd)} → growth ${(growthFrom100k * 100).toFixed(1)}% (target within 10%: ${growthFrom100k <= 0.1 ? 'met' : 'MISSED'})`);
    log(`live heap after a full GC: ${fmt(heap100k)} after ${at100k.toLocaleString('en-US')}, ${fmt(heapEnd)} after ${done.toLocaleString('en-US')} → growth ${(liveHeapGrowth * 100).toFixed(1)}% (${liveHeapGrowth <= 0.1 ? 'no leak: RSS follows the heap capacity V8 keeps' : 'the live heap grows: a leak'})`);
    return { requests: done, workersMb: { afterStart, after100k, atEnd }, liveHeapMb: { after100k: heap100k, atEnd: heapEnd }, liveHeapGrowth, growthFrom100k, flat: growthFrom100k <= 0.1 };
  }).finally(() => rmSync(heapDir, { recursive: true, force: true }));
}

if (import.meta.main) await runAlone(benchSoak);
