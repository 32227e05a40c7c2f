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

/** Whether a byte or char code is one that trimming removes: an ASCII space or tab, nothing else. */
export function isTrimmed(code: number): boolean {
  return code === 32 || code === 9;
}

/**
 * A cell's text without leading and trailing ASCII spaces and tabs, the same whether the cell was
 * quoted or not. Other whitespace (a no-break space, a form feed) is data: `String.prototype.trim`
 * would take it, so a number cell holding one would read as a number unquoted and as text quoted.
 */
export function trimCell(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isTrimmed(s.charCodeAt(start))) start++;
  while (end > start && isTrimmed(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}
