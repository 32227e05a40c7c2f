/**
 * Quantile bins for the histogram splitter: at most `maxBins` bins per feature, cut between
 * distinct values of a deterministic sample, so a split "bin ≤ b" is exactly "x < edges[b]"
 * (ml-cart's rule). A feature with few distinct values gets one bin per value: exact splits.
 */
import { radixSortFloat64 } from './radix-sort.ts';

const SAMPLE_ROWS = 200_000;
/** Grid cells per feature for the bin lookup (see `binLookup`): a few per edge keeps most cells at ≤ 1 edge. */
const CELLS_PER_EDGE = 4;
/** Above this many edges in one grid cell (skewed data), a binary search over them beats a linear scan. */
const LINEAR_SCAN_EDGES = 8;

export interface Bins {
  /** Row-major bin codes: rows × features. */
  codes: Uint8Array;
  /** Per feature, ascending cut points; feature f has edges[f].length + 1 bins. */
  edges: Float64Array[];
}

/** Bins the columns of a row-major matrix (rows × width). */
export function binColumns(x: Float64Array, width: number, maxBins: number): Bins {
  const rows = x.length / width;
  const codes = new Uint8Array(rows * width);
  const edges: Float64Array[] = [];
  const step = Math.max(1, Math.ceil(rows / SAMPLE_ROWS));
  const sample = new Float64Array(Math.ceil(rows / step));
  for (let f = 0; f < width; f++) {
    let m = 0;
    let nan = false;
    for (let r = 0; r < rows; r += step) {
      const v = x[r * width + f]!;
      nan ||= v !== v;
      sample[m++] = v;
    }
    const taken = sample.subarray(0, m);
    const e = cutPoints(nan ? taken.sort() : radixSortFloat64(taken), maxBins); // the radix sort orders NaN by its bits
    edges.push(e);
    assignBins(x, width, f, e, codes);
  }
  return { codes, edges };
}

/**
 * codes[r][f] = the number of edges ≤ x[r][f] (an upper bound, so v < edges[b] ⇔ bin ≤ b).
 * A binary search per value was most of the fit (unpredictable branches, 8 M values at 1M × 8),
 * so values are first placed on a uniform grid over [edges[0], edges[last]]: `cell` is monotone
 * in v, so a cell's answer lies between the edge counts of the cells before and after it, and the
 * few edges in between are compared exactly. The result is the binary search's, bit for bit.
 */
function assignBins(x: Float64Array, width: number, f: number, e: Float64Array, codes: Uint8Array): void {
  const rows = x.length / width;
  const n = e.length;
  if (n === 0) return; // one bin: codes stay 0
  const lo = e[0]!;
  const span = e[n - 1]! - lo;
  const cells = span > 0 && Number.isFinite(span) ? CELLS_PER_EDGE * n : 1;
  const scale = cells === 1 ? 0 : cells / span;
  const cell = (v: number): number => {
    const t = (v - lo) * scale;
    return t > 0 ? (t < cells ? t | 0 : cells) : 0; // NaN → 0, like the binary search's answer for NaN
  };
  // first[c] = number of edges in cells before c; the answer for a value in cell c is in [first[c], first[c + 1]].
  const first = new Uint16Array(cells + 2);
  for (let i = 0; i < n; i++) first[cell(e[i]!) + 1]!++;
  for (let c = 1; c < first.length; c++) first[c] = first[c]! + first[c - 1]!;
  for (let r = 0, at = f; r < rows; r++, at += width) {
    const v = x[at]!;
    const c = cell(v);
    let i = first[c]!;
    const end = first[c + 1]!;
    if (end - i > LINEAR_SCAN_EDGES) i = edgesAtMost(e, v, i, end);
    else while (i < end && e[i]! <= v) i++;
    codes[at] = i;
  }
}

/**
 * The number of edges ≤ t, searching e[from, to) (ascending) and assuming every edge before
 * `from` is ≤ t and every one from `to` on is above it: a value's bin code.
 */
export function edgesAtMost(e: Float64Array, t: number, from = 0, to = e.length): number {
  let i = from;
  let end = to;
  while (i < end) {
    const mid = (i + end) >>> 1;
    if (e[mid]! <= t) i = mid + 1;
    else end = mid;
  }
  return i;
}

function cutPoints(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]!++;
    else {
      distinct.push(sorted[i]!);
      counts.push(1);
    }
  }
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) cuts.push(midpoint(distinct[i - 1]!, distinct[i]!));
    return Float64Array.from(cuts);
  }
  // Greedy equal-frequency bins: cut once the running count reaches the next quantile.
  const perBin = sorted.length / maxBins;
  let seen = 0;
  for (let i = 0; i < distinct.length - 1 && cuts.length < maxBins - 1; i++) {
    seen += counts[i]!;
    if (seen >= perBin * (cuts.length + 1)) cuts.push(midpoint(distinct[i]!, distinct[i + 1]!));
  }
  return Float64Array.from(cuts);
}

/** A threshold t with a < t ≤ b: the mean (ml-cart's "mean" split), unless rounding lands it outside. */
export function midpoint(a: number, b: number): number {
  const m = (a + b) / 2;
  return m > a && m <= b ? m : b;
}
