/** Seeded train/holdout split: the same seed and row count always give the same rows. */

/** mulberry32: a small, well-distributed 32-bit PRNG, enough for shuffling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles 0..rows-1 and takes round(rows × test) for the holdout; both halves in ascending order. */
export function seededSplit(rows: number, test: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  const idx = new Int32Array(rows);
  for (let i = 0; i < rows; i++) idx[i] = i;
  const random = seededRandom(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const nTest = Math.min(rows - 1, Math.max(1, Math.round(rows * test)));
  return { holdout: idx.slice(0, nTest).sort(), train: idx.slice(nTest).sort() };
}
