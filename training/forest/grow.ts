/**
 * One tree of a forest: its bootstrap sample and per-split feature draws come from its own seed,
 * its splitter reads the forest's shared presort or bins, and it records its in-bag rows.
 * The same function runs in a worker thread or in process.
 */
import { exactSplitter } from '../cart/exact-splitter.ts';
import { histogramSplitter } from '../cart/histogram-splitter.ts';
import type { Splitter } from '../cart/splitter.ts';
import { growTree } from '../cart/train.ts';
import type { FlatTree } from '../cart/tree.ts';
import type { ForestData } from './forest-data.ts';
import { bootstrapCounts, featureSampler, sampleRows, treeRandom } from './sampling.ts';

export function growForestTree(data: ForestData, t: number): FlatTree {
  const { x, width, rows, stats, options: o } = data;
  const random = treeRandom(o.seed, t);
  const counts = o.bootstrap ? bootstrapCounts(rows, o.maxSamples, random) : new Int32Array(rows).fill(1);
  recordInBag(data, t, counts);
  const rootStats = new Float64Array(stats.width);
  for (let r = 0; r < rows; r++) {
    const c = counts[r]!;
    if (c === 0) continue;
    rootStats[0] = rootStats[0]! + c;
    rootStats[1 + stats.slot[r]!] = rootStats[1 + stats.slot[r]!]! + c * stats.value[r]!;
  }
  const splitter: Splitter<unknown> = data.presorted
    ? exactSplitter(x, width, stats, { presorted: data.presorted, counts })
    : (histogramSplitter(x, width, stats, o.maxBins, { bins: data.bins!, sample: sampleRows(counts) }, false) as Splitter<unknown>);
  const features = o.maxFeatures < width ? featureSampler(width, o.maxFeatures, random) : undefined;
  return growTree(splitter, rootStats, o, data.kind === 'classification', undefined, features);
}

function recordInBag(data: ForestData, t: number, counts: Int32Array): void {
  const base = t * data.inBagWords;
  for (let w = 0; w < data.inBagWords; w++) {
    let bits = 0;
    const end = Math.min(counts.length, (w + 1) * 32);
    for (let r = w * 32; r < end; r++) if (counts[r]! > 0) bits |= 1 << (r & 31);
    Atomics.store(data.inBag, base + w, bits);
  }
}
