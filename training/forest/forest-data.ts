/**
 * What every tree of a forest reads, prepared once and held in SharedArrayBuffers so that the
 * worker threads see the same memory (nothing is copied per tree or per worker): the inputs,
 * the target's per-row statistics, the presort (exact splits) or the bins (histogram splits),
 * and a bit per tree and row saying whether the row was in the tree's sample (for out-of-bag).
 */
import type { Bins } from '../cart/binning.ts';
import { binColumns } from '../cart/binning.ts';
import type { Presorted } from '../cart/exact-splitter.ts';
import { presortColumns } from '../cart/exact-splitter.ts';
import type { CartTarget, TargetStats } from '../cart/target.ts';
import { targetStats } from '../cart/target.ts';
import type { ResolvedForestOptions } from './params.ts';

export interface ForestData {
  x: Float64Array;
  width: number;
  rows: number;
  kind: CartTarget['kind'];
  stats: TargetStats;
  options: ResolvedForestOptions;
  presorted?: Presorted;
  bins?: Bins;
  /** nEstimators × inBagWords 32-bit words: bit r of tree t is set when row r is in its sample. */
  inBag: Int32Array;
  inBagWords: number;
}

/** Copies a typed array into shared memory. */
function shared<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

export function prepareForestData(x: Float64Array, width: number, target: CartTarget, options: ResolvedForestOptions): ForestData {
  const rows = x.length / width;
  const stats = targetStats(target);
  const inBagWords = Math.ceil(rows / 32);
  const data: ForestData = {
    x: shared(x),
    width,
    rows,
    kind: target.kind,
    stats: { width: stats.width, slot: shared(stats.slot), value: shared(stats.value) },
    options,
    inBag: new Int32Array(new SharedArrayBuffer(options.nEstimators * inBagWords * 4)),
    inBagWords,
  };
  if (options.splitter === 'exact') {
    const p = presortColumns(x, width);
    data.presorted = { columns: p.columns.map(shared), order: p.order.map(shared) };
  } else {
    const b = binColumns(x, width, options.maxBins);
    data.bins = { codes: shared(b.codes), edges: b.edges };
  }
  return data;
}

export function inBag(data: ForestData, t: number, row: number): boolean {
  return ((data.inBag[t * data.inBagWords + (row >>> 5)]! >>> (row & 31)) & 1) === 1;
}
