/**
 * Exact splits over presorted columns: each feature keeps its row indices sorted by value, and
 * every node owns the same [start, end) range in all of them. Finding a split is one pass per
 * feature over the node's rows; applying it is a stable partition of each range, so the ranges
 * stay sorted. O(features · rows) per tree level, every distinct value a candidate.
 */
import type { FeatureSubset, Split, Splitter } from './splitter.ts';
import { argsort } from './argsort.ts';
import { midpoint } from './binning.ts';
import type { TargetStats } from './target.ts';

/** Each feature's column and its rows in ascending order of value: computed once, shared by a forest's trees. */
export interface Presorted {
  columns: Float64Array[];
  order: Int32Array[];
}

export function presortColumns(x: Float64Array, width: number): Presorted {
  const rows = x.length / width;
  const columns: Float64Array[] = [];
  const order: Int32Array[] = [];
  for (let f = 0; f < width; f++) {
    const col = new Float64Array(rows);
    for (let r = 0; r < rows; r++) col[r] = x[r * width + f]!;
    columns.push(col);
    order.push(argsort(col));
  }
  return { columns, order };
}

/**
 * `shared` gives a presort made once (a forest's) and, optionally, how many times each row is
 * drawn (a bootstrap sample): the splitter then works on its own copy, each row repeated that often.
 */
export function exactSplitter(x: Float64Array, width: number, target: TargetStats, shared?: { presorted: Presorted; counts?: Int32Array }): Splitter<undefined> {
  const rows = x.length / width;
  const presorted = shared?.presorted ?? presortColumns(x, width);
  const columns = presorted.columns;
  const order = shared ? presorted.order.map((o) => repeatRows(o, shared.counts)) : presorted.order;
  const { slot, value, width: k } = target;
  const goesLeft = new Uint8Array(rows);
  const scratch = new Int32Array(order[0]!.length);
  const left = new Float64Array(k);
  const right = new Float64Array(k);

  function best(start: number, end: number, stats: Float64Array, _state: undefined, features?: FeatureSubset): Split | undefined {
    const n = end - start;
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestEnd = -1;
    let bestThreshold = 0;
    let parentSq = 0;
    for (let c = 1; c < k; c++) parentSq += stats[c]! * stats[c]!;
    let tried = 0;
    for (let fi = 0; fi < width && (!features || tried < features.count); fi++) {
      const f = features ? features.order[fi]! : fi;
      const ord = order[f]!;
      const xs = columns[f]!;
      if (xs[ord[start]!] === xs[ord[end - 1]!]) continue; // constant in this node
      tried++;
      left.fill(0);
      right.set(stats);
      let leftSq = 0;
      let rightSq = parentSq;
      let next = xs[ord[start]!]!;
      for (let i = start; i < end - 1; i++) {
        const r = ord[i]!;
        const c = 1 + slot[r]!;
        const v = value[r]!;
        // Move row r from right to left, updating Σ s² incrementally.
        leftSq += v * (2 * left[c]! + v);
        left[c] = left[c]! + v;
        rightSq -= v * (2 * right[c]! - v);
        right[c] = right[c]! - v;
        const current = next;
        next = xs[ord[i + 1]!]!;
        if (current === next) continue;
        const nl = i - start + 1;
        const score = leftSq / nl + rightSq / (n - nl);
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestEnd = i + 1;
          bestThreshold = midpoint(current, next);
        }
      }
    }
    if (bestFeature < 0) return undefined;
    const leftStats = new Float64Array(k);
    const ord = order[bestFeature]!;
    for (let i = start; i < bestEnd; i++) {
      const r = ord[i]!;
      leftStats[0]!++;
      leftStats[1 + slot[r]!] = leftStats[1 + slot[r]!]! + value[r]!;
    }
    return { feature: bestFeature, threshold: bestThreshold, score: bestScore, leftStats };
  }

  function apply(start: number, end: number, split: Split): { mid: number; left: undefined; right: undefined } {
    const xs = columns[split.feature]!;
    for (let i = start; i < end; i++) {
      const r = order[0]![i]!;
      goesLeft[r] = xs[r]! < split.threshold ? 1 : 0;
    }
    let mid = start;
    for (let f = 0; f < width; f++) {
      const ord = order[f]!;
      let l = start;
      let g = 0;
      for (let i = start; i < end; i++) {
        const r = ord[i]!;
        if (goesLeft[r] === 1) ord[l++] = r;
        else scratch[g++] = r;
      }
      ord.set(scratch.subarray(0, g), l);
      mid = l;
    }
    return { mid, left: undefined, right: undefined };
  }

  return { rootState: () => undefined, best, apply, release: () => {} };
}

/** Rows in the given order, each repeated `counts[row]` times (once when no counts are given). */
function repeatRows(order: Int32Array, counts: Int32Array | undefined): Int32Array {
  if (!counts) return order.slice();
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  const out = new Int32Array(n);
  let at = 0;
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    for (let c = counts[r]!; c > 0; c--) out[at++] = r;
  }
  return out;
}
