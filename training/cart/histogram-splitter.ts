/**
 * Histogram splits: every feature is cut into at most `maxBins` quantile bins once, then a node's
 * statistics per (feature, bin) are summed in one pass over its rows and the best cut between bins
 * is found by scanning bins, not rows. A child's histogram is its parent's minus its sibling's,
 * so only the smaller child's rows are ever scanned: about half the rows per tree level.
 */
import type { Bins } from './binning.ts';
import { binColumns, midpoint } from './binning.ts';
import type { FeatureSubset, Split, Splitter } from './splitter.ts';
import type { TargetStats } from './target.ts';
import { sideScore } from './target.ts';

type Histogram = Float64Array | undefined;

/**
 * How wide a margin, in random-walk steps, a bin's cuts get over the line between its ends' scores
 * before the bin is left unsearched (see `spread`). 1 missed exact splits at 1M rows, 2 did not (5 seeds).
 */
const WALK_WIDTHS = 2;


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

  // Exact search scratch: the rows of the bins searched, their values, running statistics, and
  // each feature's cut scores (cut b leaves bins < b on the left: b = 0 and b = bins are no split).
  const binRows = new Int32Array(order.length);
  const binValues = new Float64Array(order.length);
  const binStart = new Int32Array(maxBins + 1);
  const left = new Float64Array(k);
  const right = new Float64Array(k);
  const cutScores = new Float64Array(width * (maxBins + 1));
  const { rowBound, classes, yRange } = moveBounds(target);
  const binUpper = new Float64Array(width * maxBins);
  const mid = new Float64Array(k);

  function best(start: number, end: number, stats: Float64Array, h: Histogram, features?: FeatureSubset): Split | undefined {
    if (!h) throw new Error('histogram splitter: node has no histogram');
    const n = end - start;
    const tried: number[] = [];
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestCut = -1;
    for (let fi = 0; fi < width && (!features || tried.length < features.count); fi++) {
      const f = features ? features.order[fi]! : fi;
      const bins = edges[f]!.length + 1;
      const scores = f * (maxBins + 1);
      left.fill(0);
      let varies = false; // some cut leaves rows on both sides
      for (let b = 0; b <= bins; b++) {
        const nl = left[0]!;
        const score = splitScore(stats, n);
        cutScores[scores + b] = score;
        if (nl > 0 && nl < n) {
          varies = true;
          if (score > bestScore) {
            bestScore = score;
            bestFeature = f;
            bestCut = b;
          }
        }
        if (b < bins) {
          const at = f * stride + b * k;
          const count = h[at]!;
          binUpper[f * maxBins + b] = count >= 2 ? Math.min(rowBound * count, WALK_WIDTHS * Math.sqrt(count) * spread(left, h, at, stats, n)) / 2 : 0;
          for (let j = 0; j < k; j++) left[j] = left[j]! + h[at + j]!;
        }
      }
      for (let b = 0; b < bins; b++) binUpper[f * maxBins + b] = binUpper[f * maxBins + b]! + (cutScores[scores + b]! + cutScores[scores + b + 1]!) / 2;
      if (varies) tried.push(f);
    }
    if (bestFeature < 0) return undefined;
    let found: Split | undefined;
    for (const f of tried) {
      const inside = searchBins(start, end, f, stats, h, bestScore);
      if (inside) {
        found = inside;
        bestScore = inside.score;
      }
    }
    return found ?? cutSplit(start, end, bestFeature, bestCut, bestScore, h);
  }

  /** Σ s²/n of `left` and of the rest of the node (`stats` minus `left`). */
  function splitScore(stats: Float64Array, n: number): number {
    for (let j = 0; j < k; j++) right[j] = stats[j]! - left[j]!;
    right[0] = n - left[0]!;
    return sideScore(left, 0, k) + sideScore(right, 0, k);
  }

  /**
   * How far apart, at the middle of a bin, the score's changes from moving one row of each kind
   * (class, or y across its range) to the left are: a cut inside the bin departs from the line
   * between its ends' scores by a random walk of such steps, about √B of them in size.
   */
  function spread(below: Float64Array, h: Float64Array, at: number, stats: Float64Array, n: number): number {
    for (let j = 0; j < k; j++) mid[j] = below[j]! + h[at + j]! / 2;
    const nl = mid[0]!;
    const nr = n - nl;
    if (!classes) {
      const d = mid[1]! / nl - (stats[1]! - mid[1]!) / nr;
      return 2 * Math.abs(d) * yRange;
    }
    let ql = 0;
    let qr = 0;
    for (let j = 1; j < k; j++) {
      ql += mid[j]! * mid[j]!;
      qr += (stats[j]! - mid[j]!) ** 2;
    }
    ql /= nl * nl;
    qr /= nr * nr;
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 1; j < k; j++) {
      if (h[at + j] === 0) continue;
      const d = 2 * mid[j]! / nl - ql - (2 * (stats[j]! - mid[j]!) / nr - qr);
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    return hi - lo;
  }

  /**
   * The best threshold inside one of feature f's bins scoring above `floor`, if any. Moving one row
   * between the sides changes the score by at most `rowBound`, so no cut inside bin b, B rows
   * from its two ends, scores above (cut_b + cut_b+1 + rowBound · B) / 2: only the bins that could
   * beat the best so far have their rows sorted, and every midpoint between distinct values in
   * them is scored, as the exact splitter does.
   */
  function searchBins(start: number, end: number, f: number, stats: Float64Array, h: Float64Array, floor: number): Split | undefined {
    const n = end - start;
    const bins = edges[f]!.length + 1;
    const upper = (b: number) => binUpper[f * maxBins + b]!;
    // Where each bin's rows go in binRows (searched bins only), -1 for the others.
    let m = 0;
    let searched = 0;
    for (let b = 0; b < bins; b++) {
      const count = h[f * stride + b * k]!;
      if (count >= 2 && upper(b) > floor) {
        binStart[b] = m;
        m += count;
        searched++;
      } else binStart[b] = -1;
    }
    if (searched === 0) return undefined;
    for (let i = start; i < end; i++) {
      const r = order[i]!;
      const at = binStart[codes[r * width + f]!]!;
      if (at < 0) continue;
      binRows[at] = r;
      binValues[at] = x[r * width + f]!;
      binStart[codes[r * width + f]!]!++;
    }
    let bestScore = floor;
    let found: Split | undefined;
    left.fill(0);
    for (let b = 0; b < bins; b++) {
      const count = h[f * stride + b * k]!;
      const to = binStart[b]!;
      if (to >= 0 && upper(b) > bestScore) {
        const from = to - count; // binStart was advanced past the bin's rows
        sortByValue(binValues, binRows, from, to);
        const kept = left.slice(); // statistics below the bin
        for (let i = from; i < to - 1; i++) {
          const r = binRows[i]!;
          left[0]!++;
          left[1 + slot[r]!] = left[1 + slot[r]!]! + value[r]!;
          const v = binValues[i]!;
          const next = binValues[i + 1]!;
          if (v === next) continue;
          const score = splitScore(stats, n);
          if (score > bestScore) {
            bestScore = score;
            found = { feature: f, threshold: midpoint(v, next), score, leftStats: left.slice() };
          }
        }
        left.set(kept);
      }
      for (let j = 0; j < k; j++) left[j] = left[j]! + h[f * stride + b * k + j]!;
    }
    return found;
  }

  /**
   * The split at a cut between bins (bins < cut go left), its threshold the midpoint between the
   * node's values on either side, as the exact splitter's, not the bin edge.
   */
  function cutSplit(start: number, end: number, f: number, cut: number, score: number, h: Float64Array): Split {
    let above = cut; // the first non-empty bin on the right
    while (h[f * stride + above * k] === 0) above++;
    const below = cut - 1; // non-empty: an empty one would have given the same score at a lower cut
    let maxLeft = -Infinity;
    let minRight = Infinity;
    for (let i = start; i < end; i++) {
      const r = order[i]!;
      const c = codes[r * width + f]!;
      if (c === below) maxLeft = Math.max(maxLeft, x[r * width + f]!);
      else if (c === above) minRight = Math.min(minRight, x[r * width + f]!);
    }
    const leftStats = new Float64Array(k);
    for (let b = 0; b < cut; b++) for (let j = 0; j < k; j++) leftStats[j] = leftStats[j]! + h[f * stride + b * k + j]!;
    return { feature: f, threshold: midpoint(maxLeft, minRight), score, leftStats };
  }

  function apply(start: number, end: number, split: Split, parent: Histogram, needLeft: boolean, needRight: boolean) {
    // A row's bin below the threshold's bin means x < threshold, above it x > threshold (codes
    // count the edges ≤ x); only rows in the threshold's own bin compare their values.
    const f = split.feature;
    const t = split.threshold;
    const cut = edgesAtMost(edges[f]!, t);
    let i = start;
    let j = end - 1;
    for (;;) {
      for (; i <= j; i++) {
        const at = order[i]! * width + f;
        const c = codes[at]!;
        if (c > cut || (c === cut && !(x[at]! < t))) break;
      }
      for (; i <= j; j--) {
        const at = order[j]! * width + f;
        const c = codes[at]!;
        if (c < cut || (c === cut && x[at]! < t)) break;
      }
      if (i >= j) break;
      const swap = order[i]!;
      order[i] = order[j]!;
      order[j] = swap;
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

/** The number of edges ≤ t (binary search over ascending edges). */
function edgesAtMost(e: Float64Array, t: number): number {
  let i = 0;
  let end = e.length;
  while (i < end) {
    const mid = (i + end) >>> 1;
    if (e[mid]! <= t) i = mid + 1;
    else end = mid;
  }
  return i;
}

/** Sorts values[from, to) ascending, carrying rows along (quicksort, insertion sort for short runs). */
function sortByValue(values: Float64Array, rows: Int32Array, from: number, to: number): void {
  const stack: number[] = [from, to - 1];
  while (stack.length > 0) {
    const hiEnd = stack.pop()!;
    const loEnd = stack.pop()!;
    if (hiEnd - loEnd < 16) {
      for (let i = loEnd + 1; i <= hiEnd; i++) {
        const v = values[i]!;
        const r = rows[i]!;
        let j = i - 1;
        for (; j >= loEnd && values[j]! > v; j--) {
          values[j + 1] = values[j]!;
          rows[j + 1] = rows[j]!;
        }
        values[j + 1] = v;
        rows[j + 1] = r;
      }
      continue;
    }
    const pivot = median3(values[loEnd]!, values[(loEnd + hiEnd) >>> 1]!, values[hiEnd]!);
    let i = loEnd;
    let j = hiEnd;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const v = values[i]!;
        values[i] = values[j]!;
        values[j] = v;
        const r = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = r;
        i++;
        j--;
      }
    }
    if (loEnd < j) stack.push(loEnd, j);
    if (i < hiEnd) stack.push(i, hiEnd);
  }
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/**
 * How much moving one row between the sides can change a split's score Σ s²/n (`rowBound`): at
 * most 1 per side for class counts; for sums of y, |y|, |mean| ≤ Y bound it by 3Y² per side.
 */
function moveBounds(target: TargetStats): { rowBound: number; classes: boolean; yRange: number } {
  let classes = true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < target.value.length; r++) {
    const v = target.value[r]!;
    if (v !== 1) classes = false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const y = Math.max(Math.abs(lo), Math.abs(hi));
  return { rowBound: classes ? 2 : 6 * y * y, classes, yRange: hi - lo };
}
