/**
 * The forest's random draws, all from seeds: tree t's generator is seeded from the forest seed
 * and t alone, so a tree is the same whichever thread grows it and in whatever order.
 */
import type { FeatureSubset } from '../cart/splitter.ts';
import { seededRandom } from '../split.ts';

/** A well-mixed 32-bit seed for tree `t` (murmur3's finaliser over seed and index). */
export function treeSeed(seed: number, t: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(t + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function treeRandom(seed: number, t: number): () => number {
  return seededRandom(treeSeed(seed, t));
}

/** How many times each of `rows` rows is drawn in `draws` draws with replacement. */
export function bootstrapCounts(rows: number, draws: number, random: () => number): Int32Array {
  const counts = new Int32Array(rows);
  for (let i = 0; i < draws; i++) counts[Math.floor(random() * rows)]!++;
  return counts;
}

/** The drawn rows in ascending order, each repeated as often as it was drawn. */
export function sampleRows(counts: Int32Array): Int32Array {
  let n = 0;
  for (let r = 0; r < counts.length; r++) n += counts[r]!;
  const out = new Int32Array(n);
  let at = 0;
  for (let r = 0; r < counts.length; r++) for (let c = counts[r]!; c > 0; c--) out[at++] = r;
  return out;
}

/** A fresh random order of the features before every split (a Fisher–Yates shuffle). */
export function featureSampler(width: number, count: number, random: () => number): () => FeatureSubset {
  const order = new Int32Array(width);
  for (let f = 0; f < width; f++) order[f] = f;
  const subset = { order, count };
  return () => {
    for (let i = width - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return subset;
  };
}
