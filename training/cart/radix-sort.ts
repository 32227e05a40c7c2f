/**
 * Sorts doubles by their bits, in linear time: `Float64Array.prototype.sort` (a comparison sort)
 * took 17–25 ms per 200,000-value bin sample, most of the binning. The order is that sort's for
 * every value but NaN: -Infinity first, -0 before +0, Infinity last. Callers pass no NaN.
 */
const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const MASK = BUCKETS - 1;
/** 64 bits in digits of 11: the last one is the top 9 bits of the high word. */
const PASSES = 6;

/** Sorts `a` in place (ascending) and returns it. */
export function radixSortFloat64(a: Float64Array): Float64Array {
  const n = a.length;
  if (n < 2) return a;
  // Keys: the IEEE bits as two uint32 words (little-endian: [lo, hi]), flipped so that unsigned
  // order is numeric order (a negative number has all its bits flipped, a positive one its sign),
  // and every pass's digit counts taken in the same read.
  let keys = new Uint32Array(2 * n);
  keys.set(new Uint32Array(a.buffer, a.byteOffset, 2 * n));
  const counts = new Int32Array(PASSES * BUCKETS);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = keys[i]!;
    let hi = keys[i + 1]!;
    if (hi >>> 31) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else {
      hi = (hi ^ 0x80000000) >>> 0;
    }
    keys[i] = lo;
    keys[i + 1] = hi;
    counts[lo & MASK]!++;
    counts[BUCKETS + ((lo >>> 11) & MASK)]!++;
    counts[2 * BUCKETS + (((lo >>> 22) | (hi << 10)) & MASK)]!++;
    counts[3 * BUCKETS + ((hi >>> 1) & MASK)]!++;
    counts[4 * BUCKETS + ((hi >>> 12) & MASK)]!++;
    counts[5 * BUCKETS + (hi >>> 23)]!++;
  }
  let other = new Uint32Array(2 * n);
  // Least significant digit first; each pass is stable, so it keeps the order the earlier ones made.
  for (let p = 0; p < PASSES; p++) {
    const base = p * BUCKETS;
    if (counts[base + digit(keys[0]!, keys[1]!, p)] === n) continue; // every key has this digit: nothing moves
    let sum = 0;
    for (let b = base; b < base + BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < 2 * n; i += 2) {
      const lo = keys[i]!;
      const hi = keys[i + 1]!;
      const at = 2 * counts[base + digit(lo, hi, p)]!++;
      other[at] = lo;
      other[at + 1] = hi;
    }
    [keys, other] = [other, keys];
  }
  for (let i = 0; i < 2 * n; i += 2) {
    const hi = keys[i + 1]!;
    if (hi >>> 31) {
      keys[i + 1] = hi ^ 0x80000000;
    } else {
      keys[i] = ~keys[i]!;
      keys[i + 1] = ~hi;
    }
  }
  a.set(new Float64Array(keys.buffer, keys.byteOffset, n));
  return a;
}

/** Digit p (11 bits, least significant first) of the key [lo, hi]. */
function digit(lo: number, hi: number, p: number): number {
  switch (p) {
    case 0:
      return lo & MASK;
    case 1:
      return (lo >>> 11) & MASK;
    case 2:
      return ((lo >>> 22) | (hi << 10)) & MASK;
    case 3:
      return (hi >>> 1) & MASK;
    case 4:
      return (hi >>> 12) & MASK;
    default:
      return hi >>> 23;
  }
}
