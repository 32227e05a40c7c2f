/**
 * Histogram splits that look for the exact splitter's split: every feature is cut into at most
 * `maxBins` quantile bins once, then a node's statistics per (feature, bin) are summed in one pass
 * over its rows, and every cut between bins is scored by scanning bins, not rows. A child's
 * histogram is its parent's minus its sibling's, so only the smaller child's rows are scanned.
 * Bin edges alone missed the best threshold (at 1M rows, depth 10: up to 0.4 points of holdout
 * accuracy against scikit-learn; near-equal cuts lie many bins apart in deep nodes), so the bins
 * whose inside cuts could beat the best cut so far (`markBins`) have the node's rows sorted and
 * every midpoint between distinct values scored, as the exact splitter does. Thresholds are those
 * midpoints; rows are partitioned by their codes, and only those in the threshold's own bin
 * compare values. For classes (up to CORNER_CLASSES) the bins' bounds are rigorous, so the split
 * is the exact splitter's (ties too: same order); for a y, small bins get an estimate (`margin`),
 * and sums taken in another order decide near-ties otherwise: a split as good to rounding, not
 * always the same one.
 *
 * Memory beyond the input, per row and feature: the codes (1 byte) and their held copy (1); per
 * row: the held target (12), and when searching the held row index (4) and the search scratch
 * (8, plus 4 without the class-wise merge). At 1M × 8 with classes: 40 MB (without the search,
 * a forest tree's, 28 MB). Inputs are read through the row index, not copied: a copy kept a
 * node's values in sequence (fit at 1M × 8 ~10% faster) but doubled the input (800 MB at 1M × 100).
 */
import type { Bins } from './binning.ts';
import { binColumns, edgesAtMost, midpoint } from './binning.ts';
import type { FeatureSubset, Split, Splitter } from './splitter.ts';
import type { TargetStats } from './target.ts';
import { sideScore } from './target.ts';

type Histogram = Float64Array | undefined;

/** Up to this many classes, a searched bin's values are sorted by class and merged (see `mergeBin`). */
const MERGED_CLASSES = 16;

/** The best split found so far in a node: a cut between bins (`bin` = the first bin on the right) or inside bin `bin`. */
interface Lead {
  score: number;
  /** Place of the feature in the node's visiting order. */
  pos: number;
  bin: number;
  inside: boolean;
  threshold: number;
  split: Split | undefined;
}

/**
 * How wide a margin, in random-walk steps, a bin's cuts get over the line between its ends' scores
 * before the bin is left unsearched (see `margin`). 1 missed exact splits at 1M rows, 2 did not (5 seeds).
 */
const WALK_WIDTHS = 2;

/**
 * Up to this many classes a bin's bound is `cornerBound`'s (rigorous, 2^classes sums a bin);
 * beyond, the one-row bound narrowed by `margin`.
 */
const CORNER_CLASSES = 8;

/**
 * `margin` estimates around the bin's middle, so it misses cuts in a bin that holds much of the
 * node (all of a node's rows in one bin: no drift, yet a perfect split): such bins keep the
 * rigorous one-row bound.
 */
const HEURISTIC_SHARE = 1 / 8;

/**
 * `shared` gives bins made once (a forest's) and, optionally, the rows to train on, repeats
 * allowed (a bootstrap sample). `search: false` keeps to cuts between bins, thresholds at the bin
 * edges (the forest's choice: the search cost it ~45% more time at 1M rows for +0.2 points).
 */
export function histogramSplitter(
  x: Float64Array,
  width: number,
  target: TargetStats,
  maxBins: number,
  shared?: { bins: Bins; sample?: Int32Array },
  search = true,
): Splitter<Histogram> {
  const { codes, edges } = shared?.bins ?? binColumns(x, width, maxBins);
  const { slot, value, width: k } = target;
  const stride = maxBins * k; // one feature's block in a histogram
  const size = width * stride;
  // Each row's codes, inputs and target statistics, held at its place in the row order and moved
  // with it when a node is partitioned: a node's rows are then read in sequence, not from all
  // over memory (a node's rows are the places [start, end)).
  const sample = shared?.sample;
  const places = sample ? sample.length : x.length / width;
  const held = sample ? new Uint8Array(places * width) : codes.slice();
  // The row each place holds, for its inputs: only the search reads them (cuts at bin edges need
  // codes alone), and only for the rows of searched bins, so they are not copied.
  const heldRow = !search ? new Int32Array(0) : sample ? sample.slice() : Int32Array.from({ length: places }, (_, i) => i);
  const heldSlot = sample ? new Int32Array(places) : slot.slice();
  const heldValue = sample ? new Float64Array(places) : value.slice();
  for (let i = 0; sample && i < places; i++) {
    const r = sample[i]!;
    for (let f = 0; f < width; f++) held[i * width + f] = codes[r * width + f]!;
    heldSlot[i] = slot[r]!;
    heldValue[i] = value[r]!;
  }
  const pool: Float64Array[] = [];

  const take = (): Float64Array => pool.pop()?.fill(0) ?? new Float64Array(size);
  const release = (h: Histogram): void => {
    if (h) pool.push(h);
  };

  function scan(start: number, end: number): Float64Array {
    const h = take();
    for (let i = start; i < end; i++) {
      const s = 1 + heldSlot[i]!;
      const v = heldValue[i]!;
      const base = i * width;
      for (let f = 0; f < width; f++) {
        const at = f * stride + held[base + f]! * k;
        h[at]!++;
        h[at + s] = h[at + s]! + v;
      }
    }
    return h;
  }

  // Exact search scratch: the rows of the bins searched, their values, running statistics, and
  // each feature's cut scores (cut b leaves bins < b on the left: b = 0 and b = bins are no split).
  // Allocated only when searching (a forest's trees, cutting at bin edges, never read them).
  const m = k - 1;
  const { rowBound, classes, yRange } = search ? moveBounds(target) : { rowBound: 0, classes: false, yRange: 0 };
  // With few classes a bin's values are kept apart by class, each part sorted alone (a typed
  // array's own sort, no rows carried along), and the parts merged while scanning.
  const byClass = classes && m <= MERGED_CLASSES;
  const binRows = new Int32Array(search && !byClass ? places : 0); // places, for the rows' statistics
  const binValues = new Float64Array(search ? places : 0);
  const binStart = new Int32Array(search ? width * maxBins : 0); // where a bin's rows go in binRows, -1 when not searched
  const classStart = new Int32Array(byClass ? width * maxBins * m : 0);
  const heads = new Int32Array(m);
  const ends = new Int32Array(m);
  const left = new Float64Array(k);
  const right = new Float64Array(k);
  const cutScores = new Float64Array(width * (maxBins + 1));
  const binUpper = new Float64Array(search ? width * maxBins : 0);
  const mid = new Float64Array(k);
  const inBin = new Float64Array(k); // a bin's class counts, for `cornerBound`

  function best(start: number, end: number, stats: Float64Array, h: Histogram, features?: FeatureSubset): Split | undefined {
    if (!h) throw new Error('histogram splitter: node has no histogram');
    const n = end - start;
    const tried: number[] = [];
    // The best so far; a tie goes to the first in the exact splitter's order (features as visited, then thresholds ascending).
    const lead: Lead = { score: -Infinity, pos: -1, bin: -1, inside: false, threshold: 0, split: undefined };
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
          if (score > lead.score) Object.assign(lead, { score, pos: tried.length, bin: b });
        }
        if (b < bins) for (let j = 0; j < k; j++) left[j] = left[j]! + h[f * stride + b * k + j]!;
      }
      // All rows in one bin: the feature may still vary inside it (the exact splitter would try it).
      if (varies || (search && variesInside(start, end, f))) tried.push(f);
    }
    if (!search) return lead.pos < 0 ? undefined : edgeSplit(tried[lead.pos]!, lead.bin, lead.score, h);
    // Features with the best bin cuts first: what they find raises the bar for the others.
    const potential = (f: number) => {
      let top = -Infinity;
      for (let c = f * (maxBins + 1), e = c + edges[f]!.length + 2; c < e; c++) top = Math.max(top, cutScores[c]!);
      return top;
    };
    const ranked = tried.map((f, i) => ({ f, i, top: potential(f) })).sort((a, b) => b.top - a.top || a.i - b.i);
    for (const { f, i } of ranked) {
      if (markBins(f, n, stats, h, lead.score) === 0) continue;
      gather(start, end, f);
      searchBins(f, i, n, stats, h, lead);
    }
    if (lead.split) return lead.split;
    return lead.pos < 0 ? undefined : cutSplit(start, end, tried[lead.pos]!, lead.bin, lead.score, h);
  }

  /** Puts the node's rows of feature f's marked bins in place, with their values. */
  function gather(start: number, end: number, f: number): void {
    if (byClass) {
      for (let i = start; i < end; i++) {
        const b = f * maxBins + held[i * width + f]!;
        if (binStart[b]! < 0) continue;
        binValues[classStart[b * m + heldSlot[i]!]!++] = x[heldRow[i]! * width + f]!;
      }
      return;
    }
    for (let i = start; i < end; i++) {
      const b = f * maxBins + held[i * width + f]!;
      const at = binStart[b]!;
      if (at < 0) continue;
      binRows[at] = i;
      binValues[at] = x[heldRow[i]! * width + f]!;
      binStart[b] = at + 1;
    }
  }

  function variesInside(start: number, end: number, f: number): boolean {
    const first = x[heldRow[start]! * width + f]!;
    for (let i = start + 1; i < end; i++) if (x[heldRow[i]! * width + f] !== first) return true;
    return false;
  }

  /** Σ s²/n of `left` and of the rest of the node (`stats` minus `left`). */
  function splitScore(stats: Float64Array, n: number): number {
    for (let j = 0; j < k; j++) right[j] = stats[j]! - left[j]!;
    right[0] = n - left[0]!;
    return sideScore(left, 0, k) + sideScore(right, 0, k);
  }

  /**
   * How far a cut inside a bin may score above the line between its ends' scores, by estimate:
   * at the bin's middle, d_j is the score's change from moving one row of kind j (a class, or a y)
   * to the left. Rows in random order make a random walk of such steps, about √B · spread in size;
   * rows whose kind drifts with the value (the neighbouring bins differ) bend the path further, by
   * up to B/4 · Σ d_j · (the kind's share in the next bin minus in the previous one); and the
   * steps themselves change along the bin, the more so the fewer rows a side has.
   */
  function margin(below: Float64Array, h: Float64Array, at: number, prev: number, next: number, stats: Float64Array, n: number): number {
    const count = h[at]!;
    for (let j = 0; j < k; j++) mid[j] = below[j]! + h[at + j]! / 2;
    const nl = mid[0]!;
    const nr = n - nl;
    const share = (bin: number, j: number) => h[bin + j]! / h[bin]!;
    // The steps change along the bin too: by up to rowBound / side's rows per row moved.
    const bend = (rowBound * count * count) / (16 * Math.min(nl, nr));
    if (!classes) {
      const d = mid[1]! / nl - (stats[1]! - mid[1]!) / nr;
      return WALK_WIDTHS * Math.sqrt(count) * Math.abs(d) * yRange + (count / 4) * Math.abs(2 * d * (share(next, 1) - share(prev, 1))) + bend;
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
    let drift = 0;
    for (let j = 1; j < k; j++) {
      const d = (2 * mid[j]!) / nl - ql - ((2 * (stats[j]! - mid[j]!)) / nr - qr);
      drift += d * (share(next, j) - share(prev, j));
      if (h[at + j] === 0) continue;
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    return (WALK_WIDTHS * Math.sqrt(count) * (hi - lo)) / 2 + (count / 4) * Math.abs(drift) + bend;
  }

  /**
   * The most any cut inside the bin at `at` can score, for class counts: a cut moves some of
   * the bin's rows of each class left (c_j of class j: 0 ≤ l_j ≤ c_j), and Σ s²/n of each side is
   * convex in (l_1 … l_m) (s²/n is convex where n > 0, and s and n are linear in l), so its
   * maximum over that box is at a corner: 2^m sums, taken over the classes the bin holds.
   */
  function cornerBound(below: Float64Array, h: Float64Array, at: number, stats: Float64Array, n: number): number {
    let present = 0;
    for (let j = 1; j < k; j++) if (h[at + j]! > 0) inBin[present++] = j;
    let top = -Infinity;
    for (let mask = 0; mask < 1 << present; mask++) {
      for (let j = 0; j < k; j++) mid[j] = below[j]!;
      for (let c = 0; c < present; c++) {
        if (!(mask & (1 << c))) continue;
        const j = inBin[c]!;
        mid[j] = mid[j]! + h[at + j]!;
        mid[0] = mid[0]! + h[at + j]!;
      }
      let ql = 0;
      let qr = 0;
      for (let j = 1; j < k; j++) {
        ql += mid[j]! * mid[j]!;
        qr += (stats[j]! - mid[j]!) ** 2;
      }
      const nl = mid[0]!;
      const score = (nl > 0 ? ql / nl : 0) + (nl < n ? qr / (n - nl) : 0);
      if (score > top) top = score;
    }
    // A cut scoring as a corner in exact arithmetic may round above it: ties must still be searched.
    return top + 1e-12 * Math.abs(top);
  }

  /**
   * Marks the bins of feature f whose inside cuts could score above `floor`, placing their rows
   * in binRows, and returns how many rows that is. Moving one row between the sides
   * changes the score by at most `rowBound`, so no cut inside bin b of B rows scores above the
   * mean of its ends' scores plus rowBound · B / 2. For classes, the bins that bound lets through
   * get `cornerBound` (rigorous too); for a y, those holding less than HEURISTIC_SHARE of the
   * node get the estimate of `margin` instead.
   */
  function markBins(f: number, n: number, stats: Float64Array, h: Float64Array, floor: number): number {
    const bins = edges[f]!.length + 1;
    const scores = f * (maxBins + 1);
    let rows = 0;
    left.fill(0);
    for (let b = 0; b < bins; b++) {
      const hb = f * stride + b * k;
      const count = h[hb]!;
      binStart[f * maxBins + b] = -1;
      if (count >= 2) {
        const chord = (cutScores[scores + b]! + cutScores[scores + b + 1]!) / 2;
        const bound = (rowBound * count) / 2;
        let upper = chord + bound;
        if (upper >= floor && classes && m <= CORNER_CLASSES) {
          upper = Math.min(upper, cornerBound(left, h, hb, stats, n));
        } else if (upper >= floor && count < n * HEURISTIC_SHARE) {
          const prev = b > 0 && h[hb - k]! > 0 ? hb - k : hb;
          const next = b + 1 < bins && h[hb + k]! > 0 ? hb + k : hb;
          upper = chord + Math.min(bound, margin(left, h, hb, prev, next, stats, n));
        }
        binUpper[f * maxBins + b] = upper;
        if (upper >= floor) {
          binStart[f * maxBins + b] = rows;
          if (byClass) for (let c = 0, at = rows; c < m; at += h[hb + 1 + c]!, c++) classStart[(f * maxBins + b) * m + c] = at;
          rows += count;
        }
      }
      for (let j = 0; j < k; j++) left[j] = left[j]! + h[hb + j]!;
    }
    return rows;
  }

  /**
   * Makes the best threshold inside feature f's marked bins the lead if it beats it: each bin's
   * rows are sorted by value and every midpoint between distinct values scored, as the exact
   * splitter does. `pos` is f's place in the visiting order.
   */
  function searchBins(f: number, pos: number, n: number, stats: Float64Array, h: Float64Array, lead: Lead): void {
    const bins = edges[f]!.length + 1;
    left.fill(0);
    for (let b = 0; b < bins; b++) {
      const count = h[f * stride + b * k]!;
      const to = binStart[f * maxBins + b]!;
      if (to >= 0 && byClass && binUpper[f * maxBins + b]! >= lead.score) {
        mergeBin(f, pos, b, to, n, stats, h, lead);
      } else if (to >= 0 && binUpper[f * maxBins + b]! >= lead.score) {
        const from = to - count; // binStart was advanced past the bin's rows
        sortByValue(binValues, binRows, from, to);
        const kept = left.slice(); // statistics below the bin
        for (let i = from; i < to - 1; i++) {
          const r = binRows[i]!;
          left[0]!++;
          left[1 + heldSlot[r]!] = left[1 + heldSlot[r]!]! + heldValue[r]!;
          const v = binValues[i]!;
          const next = binValues[i + 1]!;
          if (v === next) continue;
          const score = splitScore(stats, n);
          if (score < lead.score) continue;
          const threshold = midpoint(v, next);
          const first = pos < lead.pos || (pos === lead.pos && (b < lead.bin || (b === lead.bin && lead.inside && threshold < lead.threshold)));
          if (score > lead.score || first) {
            Object.assign(lead, { score, pos, bin: b, inside: true, threshold });
            lead.split = { feature: f, threshold, score, leftStats: left.slice() };
          }
        }
        left.set(kept);
      }
      for (let j = 0; j < k; j++) left[j] = left[j]! + h[f * stride + b * k + j]!;
    }
  }

  /**
   * searchBins for one bin whose values are kept by class from `from` (`left` holds the
   * statistics below the bin and is left as it was): each class's values sorted, then merged in
   * order, moving each distinct value's rows left at once. Σ s² is updated per row; with counts
   * that is exact, so the scores equal `splitScore`'s.
   */
  function mergeBin(f: number, pos: number, b: number, from: number, n: number, stats: Float64Array, h: Float64Array, lead: Lead): void {
    const hb = f * stride + b * k;
    let remaining = h[hb]!;
    let leftSq = 0;
    let rightSq = 0;
    for (let c = 0, at = from; c < m; c++) {
      heads[c] = at;
      at += h[hb + 1 + c]!;
      ends[c] = at;
      if (ends[c]! - heads[c]! > 1) binValues.subarray(heads[c]!, ends[c]!).sort();
      mid[1 + c] = left[1 + c]!; // running left counts
      leftSq += left[1 + c]! ** 2;
      rightSq += (stats[1 + c]! - left[1 + c]!) ** 2;
    }
    let nl = left[0]!;
    let v = headMin();
    for (;;) {
      for (let c = 0; c < m; c++) {
        while (heads[c]! < ends[c]! && binValues[heads[c]!] === v) {
          const l = mid[1 + c]!;
          leftSq += 2 * l + 1;
          rightSq -= 2 * (stats[1 + c]! - l) - 1;
          mid[1 + c] = l + 1;
          heads[c]!++;
          nl++;
          remaining--;
        }
      }
      if (remaining === 0) return; // the cut after the bin's last value is the next bin cut
      const next = headMin();
      const score = leftSq / nl + rightSq / (n - nl);
      if (score >= lead.score) {
        const threshold = midpoint(v, next);
        const first = pos < lead.pos || (pos === lead.pos && (b < lead.bin || (b === lead.bin && lead.inside && threshold < lead.threshold)));
        if (score > lead.score || first) {
          Object.assign(lead, { score, pos, bin: b, inside: true, threshold });
          const leftStats = mid.slice();
          leftStats[0] = nl;
          lead.split = { feature: f, threshold, score, leftStats };
        }
      }
      v = next;
    }
  }

  /** The least value at the heads of the class parts. */
  function headMin(): number {
    let v = Infinity;
    for (let c = 0; c < m; c++) if (heads[c]! < ends[c]! && binValues[heads[c]!]! < v) v = binValues[heads[c]!]!;
    return v;
  }

  /** The split at a cut between bins with the bin edge for threshold (no search). */
  function edgeSplit(f: number, cut: number, score: number, h: Float64Array): Split {
    const leftStats = new Float64Array(k);
    for (let b = 0; b < cut; b++) for (let j = 0; j < k; j++) leftStats[j] = leftStats[j]! + h[f * stride + b * k + j]!;
    return { feature: f, threshold: edges[f]![cut - 1]!, score, leftStats };
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
      const c = held[i * width + f]!;
      if (c === below) maxLeft = Math.max(maxLeft, x[heldRow[i]! * width + f]!);
      else if (c === above) minRight = Math.min(minRight, x[heldRow[i]! * width + f]!);
    }
    const leftStats = new Float64Array(k);
    for (let b = 0; b < cut; b++) for (let j = 0; j < k; j++) leftStats[j] = leftStats[j]! + h[f * stride + b * k + j]!;
    return { feature: f, threshold: midpoint(maxLeft, minRight), score, leftStats };
  }

  function swapPlaces(i: number, j: number): void {
    for (let a = i * width, b = j * width, e = a + width; a < e; a++, b++) {
      const c = held[a]!;
      held[a] = held[b]!;
      held[b] = c;
    }
    if (search) {
      const r = heldRow[i]!;
      heldRow[i] = heldRow[j]!;
      heldRow[j] = r;
    }
    const s = heldSlot[i]!;
    heldSlot[i] = heldSlot[j]!;
    heldSlot[j] = s;
    const v = heldValue[i]!;
    heldValue[i] = heldValue[j]!;
    heldValue[j] = v;
  }

  function apply(start: number, end: number, split: Split, parent: Histogram, needLeft: boolean, needRight: boolean) {
    // A row's bin below the threshold's bin means x < threshold, above it x > threshold (codes
    // count the edges ≤ x); only rows in the threshold's own bin compare their values (without
    // the search, thresholds are edges, and a row in the edge's bin is ≥ it).
    const f = split.feature;
    const t = split.threshold;
    const cut = edgesAtMost(edges[f]!, t);
    let i = start;
    let j = end - 1;
    for (;;) {
      for (; i <= j; i++) {
        const c = held[i * width + f]!;
        if (c > cut || (c === cut && !(search && x[heldRow[i]! * width + f]! < t))) break;
      }
      for (; i <= j; j--) {
        const c = held[j * width + f]!;
        if (c < cut || (c === cut && search && x[heldRow[j]! * width + f]! < t)) break;
      }
      if (i >= j) break;
      swapPlaces(i, j);
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

  return { rootState: () => scan(0, places), best, apply, release };
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
