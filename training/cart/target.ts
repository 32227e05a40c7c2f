/**
 * The training target as per-row statistics. A node's statistics are a vector
 * `[n, s_1 … s_m]`: class counts for classification (m = classes), the sum of y for regression
 * (m = 1). Both criteria then have one form: a split's quality is Σ s_k²/n summed over the two
 * children, and the node's gain is that minus the parent's, divided by the parent's n. For
 * classes that is the gini gain; for regression the variance reduction.
 */
export type CartTarget =
  | { kind: 'classification'; classes: Int32Array; classCount: number }
  | { kind: 'regression'; values: Float64Array };

export interface TargetStats {
  /** Length of a statistics vector: 1 + m. */
  width: number;
  /** Slot (0-based among s_1…s_m) each row adds to. */
  slot: Int32Array;
  /** Amount each row adds to its slot. */
  value: Float64Array;
}

export function targetStats(target: CartTarget): TargetStats {
  if (target.kind === 'classification') {
    return { width: 1 + target.classCount, slot: target.classes, value: new Float64Array(target.classes.length).fill(1) };
  }
  return { width: 2, slot: new Int32Array(target.values.length), value: target.values };
}

/** Σ s_k² / n: the part of a split's quality one side contributes. */
export function sideScore(stats: Float64Array, offset: number, width: number): number {
  const n = stats[offset]!;
  if (n === 0) return 0;
  let sq = 0;
  for (let k = 1; k < width; k++) {
    const s = stats[offset + k]!;
    sq += s * s;
  }
  return sq / n;
}
