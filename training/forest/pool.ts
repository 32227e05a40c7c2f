/**
 * Runs a forest's trees on worker threads (or in process for one thread): trees are handed out
 * one at a time as workers free up, and the results are put back in tree order, so the forest is
 * the same whatever the thread count. Out-of-bag sums are then split by row ranges.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FlatTree } from '../cart/tree.ts';
import type { ForestData } from './forest-data.ts';
import { growForestTree } from './grow.ts';
import type { OobSums } from './oob.ts';
import { oobSums } from './oob.ts';
import type { WorkerReply, WorkerRequest } from './worker.ts';

/** The worker's source beside this module, or its bundle beside an action's bundle (actions/build.ts). */
const WORKER = [new URL('./worker.ts', import.meta.url), new URL('./forest-worker.js', import.meta.url)].find((u) => u.protocol === 'file:' && existsSync(fileURLToPath(u)));

/** Whether worker threads can be started (else the forest trains in process). */
export function workersAvailable(): boolean {
  return WORKER !== undefined;
}

export interface ForestRun {
  trees: FlatTree[];
  /** Out-of-bag sums over every training row (bootstrap only). */
  oob?: OobSums;
  /** Threads actually used. */
  threads: number;
}

export async function runForest(data: ForestData, threads: number, onTree?: (done: number) => void): Promise<ForestRun> {
  const n = data.options.nEstimators;
  const wanted = Math.max(1, Math.min(threads, n));
  if (wanted === 1 || !workersAvailable()) {
    const trees: FlatTree[] = [];
    for (let t = 0; t < n; t++) {
      trees.push(growForestTree(data, t));
      onTree?.(t + 1);
    }
    return { trees, oob: data.options.bootstrap ? oobSums(trees, data, 0, data.rows) : undefined, threads: 1 };
  }
  const workers = Array.from({ length: wanted }, () => new Worker(WORKER!, { workerData: data }));
  try {
    const trees = await growOnWorkers(workers, n, onTree);
    const oob = data.options.bootstrap ? await oobOnWorkers(workers, trees, data.rows, trees[0]!.valueWidth) : undefined;
    return { trees, oob, threads: wanted };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Resolves with each worker's replies to the requests made through `ask`, failing on a worker error. */
function exchange(workers: Worker[], start: (worker: Worker, ask: (r: WorkerRequest) => void) => void, onReply: (worker: Worker, reply: WorkerReply, ask: (r: WorkerRequest) => void) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let finished = false;
    const cleanups: (() => void)[] = [];
    const done = (err?: unknown) => {
      if (finished) return;
      finished = true;
      for (const c of cleanups) c();
      if (err) reject(err);
      else resolve();
    };
    for (const worker of workers) {
      const ask = (r: WorkerRequest) => worker.postMessage(r);
      const onMessage = (reply: WorkerReply) => {
        try {
          if (onReply(worker, reply, ask)) done();
        } catch (err) {
          done(err);
        }
      };
      const onError = (err: unknown) => done(err);
      const onExit = (code: number) => done(new Error(`forest worker exited with code ${code}`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      cleanups.push(() => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      });
    }
    for (const worker of workers) start(worker, (r: WorkerRequest) => worker.postMessage(r));
  });
}

async function growOnWorkers(workers: Worker[], n: number, onTree?: (done: number) => void): Promise<FlatTree[]> {
  const trees = new Array<FlatTree>(n);
  let next = 0;
  let received = 0;
  const handOut = (ask: (r: WorkerRequest) => void) => {
    if (next < n) ask({ kind: 'tree', t: next++ });
  };
  await exchange(
    workers,
    (_, ask) => handOut(ask),
    (_, reply, ask) => {
      if (reply.kind !== 'tree') throw new Error('forest worker: unexpected reply');
      trees[reply.t] = reply.tree;
      received++;
      onTree?.(received);
      handOut(ask);
      return received === n;
    },
  );
  return trees;
}

async function oobOnWorkers(workers: Worker[], trees: FlatTree[], rows: number, w: number): Promise<OobSums> {
  const sums = new Float64Array(rows * w);
  const counts = new Int32Array(rows);
  const step = Math.ceil(rows / workers.length);
  let pending = 0;
  await exchange(
    workers,
    (worker, ask) => {
      const from = workers.indexOf(worker) * step;
      const to = Math.min(rows, from + step);
      if (from >= to) return;
      pending++;
      ask({ kind: 'oob', trees, from, to });
    },
    (_, reply) => {
      if (reply.kind !== 'oob') throw new Error('forest worker: unexpected reply');
      sums.set(reply.sums, reply.from * w);
      counts.set(reply.counts, reply.from);
      return --pending === 0;
    },
  );
  return { sums, counts };
}
