/**
 * Canonical JSON: object keys sorted, no whitespace, a trailing newline. The same value always
 * gives the same bytes, which is what makes artifact versions and digests reproducible.
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value))}\n`;
}

/** A number that JSON cannot hold (Infinity, NaN): a RangeError, so that bad input can be told from a bug. */
export class NonFiniteNumberError extends RangeError {}

/** A copy of a JSON value with every object's keys in sorted order (undefined members dropped). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFiniteNumberError(`canonicalJson: ${value} has no JSON form`);
  return value;
}
