/**
 * Histogram splits: every feature is cut into at most `maxBins` quantile bins once, then a node's
 * statistics per (feature, bin) are summed in one pass over its rows and the best cut between bins
 * is found by scanning bins, not rows. A child's histogram is its parent's minus its sibling's,
 * so only the smaller child's rows are ever scanned: about half the rows per tree level.
 */
import type { Bins } from './binning.ts';
import { binColumns } from './binning.ts';
import type { FeatureSubset, Split, Splitter } from './splitter.ts';
import type { TargetStats } from './target.ts';
import { sideScore } from './target.ts';

type Histogram = Float64Array | undefined;

/**
 * `shared` gives bins made once (a forest's) and, optionally, the rows to train on, repeats
 * allowed (a bootstrap sample; the splitter reorders its own copy).
 */
export function histogramSplitter(x: Float64Array, width: number, target: TargetStats, maxBins: number, shared?: { bins: Bins; sample?: Int32Array }): Splitter<Histogram> {
  const { codes, edges } = shared?.bins ?? binColumns(x, width, maxBins);
  const { slot, value, width: k } = target;
  const stride = maxBins * k; // one feature's block in a histogram
  const size = width * stride;
  let order: Int32Array;
  if (shared?.sample) order = shared.sample.slice();
  else {
    order = new Int32Array(x.length / width);
    for (let i = 0; i < order.length; i++) order[i] = i;
  }
  const pool: Float64Array[] = [];

  const take = (): Float64Array => pool.pop()?.fill(0) ?? new Float64Array(size);
  const release = (h: Histogram): void => {
    if (h) pool.push(h);
  };

  function scan(start: number, end: number): Float64Array {
    const h = take();
    for (let i = start; i < end; i++) {
      const r = order[i]!;
      const s = 1 + slot[r]!;
      const v = value[r]!;
      const base = r * width;
      for (let f = 0; f < width; f++) {
        const at = f * stride + codes[base + f]! * k;
        h[at]!++;
        h[at + s] = h[at + s]! + v;
      }
    }
    return h;
  }

  function best(start: number, end: number, stats: Float64Array, h: Histogram, features?: FeatureSubset): Split | undefined {
    if (!h) throw new Error('histogram splitter: node has no histogram');
    const cumulative = new Float64Array(k);
    const rightStats = new Float64Array(k);
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestBin = -1;
    const n = end - start;
    let tried = 0;
    for (let fi = 0; fi < width && (!features || tried < features.count); fi++) {
      const f = features ? features.order[fi]! : fi;
      const bins = edges[f]!.length + 1;
      cumulative.fill(0);
      let varies = false; // some cut leaves rows on both sides
      for (let b = 0; b < bins - 1; b++) {
        const at = f * stride + b * k;
        for (let j = 0; j < k; j++) cumulative[j] = cumulative[j]! + h[at + j]!;
        const nl = cumulative[0]!;
        if (nl === 0) continue;
        if (nl === n) break;
        varies = true;
        for (let j = 0; j < k; j++) rightStats[j] = stats[j]! - cumulative[j]!;
        rightStats[0] = n - nl;
        const score = sideScore(cumulative, 0, k) + sideScore(rightStats, 0, k);
        if (score > bestScore) {
          bestScore = score;
          bestFeature = f;
          bestBin = b;
        }
      }
      if (varies) tried++;
    }
    if (bestFeature < 0) return undefined;
    const leftStats = new Float64Array(k);
    for (let b = 0; b <= bestBin; b++) {
      const at = bestFeature * stride + b * k;
      for (let j = 0; j < k; j++) leftStats[j] = leftStats[j]! + h[at + j]!;
    }
    return { feature: bestFeature, threshold: edges[bestFeature]![bestBin]!, score: bestScore, leftStats };
  }

  function apply(start: number, end: number, split: Split, parent: Histogram, needLeft: boolean, needRight: boolean) {
    // x < threshold ⇔ bin ≤ b, where b is the threshold's index among the feature's edges.
    const cut = edges[split.feature]!.indexOf(split.threshold);
    let i = start;
    let j = end - 1;
    for (;;) {
      while (i <= j && codes[order[i]! * width + split.feature]! <= cut) i++;
      while (i <= j && codes[order[j]! * width + split.feature]! > cut) j--;
      if (i >= j) break;
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const mid = i;
    let left: Histogram;
    let right: Histogram;
    const leftSmaller = mid - start <= end - mid;
    if (needLeft || needRight) {
      const small = leftSmaller ? scan(start, mid) : scan(mid, end);
      if ((leftSmaller ? needRight : needLeft) && parent) {
        for (let a = 0; a < size; a++) parent[a] = parent[a]! - small[a]!;
        if (leftSmaller) [left, right] = [small, parent];
        else [left, right] = [parent, small];
      } else {
        release(parent);
        if (leftSmaller) left = small;
        else right = small;
      }
    } else {
      release(parent);
    }
    if (!needLeft && left) {
      release(left);
      left = undefined;
    }
    if (!needRight && right) {
      release(right);
      right = undefined;
    }
    return { mid, left, right };
  }

  return { rootState: () => scan(0, order.length), best, apply, release };
}
