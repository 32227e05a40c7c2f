/**
 * A forest worker thread: grows the trees it is asked for, and computes out-of-bag sums for a
 * range of rows, from the forest data shared with it (workerData; SharedArrayBuffers, not copies).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FlatTree } from '../cart/tree.ts';
import type { ForestData } from './forest-data.ts';
import { growForestTree } from './grow.ts';
import { oobSums } from './oob.ts';

export type WorkerRequest = { kind: 'tree'; t: number } | { kind: 'oob'; trees: FlatTree[]; from: number; to: number };
export type WorkerReply = { kind: 'tree'; t: number; tree: FlatTree } | { kind: 'oob'; from: number; sums: Float64Array; counts: Int32Array };

const data = workerData as ForestData;
const port = parentPort!;

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'tree') {
    const tree = growForestTree(data, request.t);
    const reply: WorkerReply = { kind: 'tree', t: request.t, tree };
    const arrays = [tree.feature, tree.threshold, tree.left, tree.right, tree.gain, tree.samples, tree.values];
    port.postMessage(reply, arrays.map((a) => a.buffer as ArrayBuffer));
  } else {
    const { sums, counts } = oobSums(request.trees, data, request.from, request.to);
    const reply: WorkerReply = { kind: 'oob', from: request.from, sums, counts };
    port.postMessage(reply, [sums.buffer as ArrayBuffer, counts.buffer as ArrayBuffer]);
  }
});
