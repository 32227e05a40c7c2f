/**
 * Quantile bins for the histogram splitter: at most `maxBins` bins per feature, cut between
 * distinct values of a deterministic sample, so a split "bin ≤ b" is exactly "x < edges[b]"
 * (ml-cart's rule). A feature with few distinct values gets one bin per value: exact splits.
 */
const SAMPLE_ROWS = 200_000;

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
    for (let r = 0; r < rows; r += step) sample[m++] = x[r * width + f]!;
    const e = cutPoints(sample.subarray(0, m).sort(), maxBins);
    edges.push(e);
    for (let r = 0; r < rows; r++) codes[r * width + f] = binOf(e, x[r * width + f]!);
  }
  return { codes, edges };
}

/** Number of edges ≤ v (upper bound), so v < edges[b] ⇔ bin ≤ b. */
function binOf(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
