/**
 * How the text of a CSV cell reads, the same in training files and in CSV prediction requests:
 * which cells are missing, which are booleans, which are decimal numbers. "NaN" and "Infinity"
 * are none of these: in a number column they are errors, never values a model sees.
 */
export const MISSING_CELLS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'null', 'NULL', 'None']);
export const TRUE_CELLS: ReadonlySet<string> = new Set(['true', 'True', 'TRUE']);
export const FALSE_CELLS: ReadonlySet<string> = new Set(['false', 'False', 'FALSE']);
/**
 * A plain decimal number, `[+-] digits [. digits] [e [+-] digits]` (at least one digit), checked
 * without a regex: it runs once per number cell, the hot path of CSV loading and CSV predictions.
 */
export function isDecimalCell(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) i++;
  let digits = 0;
  while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
    i++;
    digits++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < n && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
    i++;
    if (i < n && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let exponent = 0;
    while (i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      i++;
      exponent++;
    }
    if (exponent === 0) return false;
  }
  return i === n;
}

/**
 * A cell's text without the ASCII spaces and tabs around it, and nothing else: a no-break space
 * or another Unicode space is data (so a number cell holding one is an error), and a cell reads
 * the same quoted or not. `String.prototype.trim` and csv-parse's `trim` also remove Unicode
 * spaces, which is why neither is used on cells.
 */
export function trimCell(s: string): string {
  let start = 0;
  let end = s.length;
  let c;
  while (start < end && ((c = s.charCodeAt(start)) === 32 || c === 9)) start++;
  while (end > start && ((c = s.charCodeAt(end - 1)) === 32 || c === 9)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
