/**
 * Canonical JSON: object keys sorted, no whitespace, a trailing newline. The same value always
 * gives the same bytes, which is what makes artifact versions and digests reproducible.
 *
 * Written without recursion (an explicit stack): a tree trained with `minNumSamples: 1` on
 * alternating labels nests thousands of levels deep, which overflows the call stack of a recursive
 * serialiser (and of `JSON.stringify` itself). The output is byte for byte what
 * `JSON.stringify(sortKeys(value))` gives where that does not overflow.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a literal to emit, or a value to write (pushed in reverse, popped in order).
  const stack: (string | { v: unknown })[] = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.v;
    if (Array.isArray(v)) {
      if (v.every(isScalar)) {
        out.push(`[${v.map((e) => scalarJson(e)).join(',')}]`);
        continue;
      }
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i] });
        if (i > 0) stack.push(',');
      }
      stack.push('[');
    } else if (v !== null && typeof v === 'object') {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      stack.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ v: record[keys[i]!] });
        stack.push(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`);
      }
      stack.push('{');
    } else {
      out.push(scalarJson(v));
    }
  }
  return `${out.join('')}\n`;
}

/** A number that JSON cannot hold (Infinity, NaN): a RangeError, so that bad input can be told from a bug. */
export class NonFiniteNumberError extends RangeError {}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** A scalar's JSON (undefined in an array is `null`, as `JSON.stringify` writes it). */
function scalarJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFiniteNumberError(`canonicalJson: ${value} has no JSON form`);
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}

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
