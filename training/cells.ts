/**
 * How the text of a CSV cell reads, the same in training files and in CSV prediction requests:
 * which cells are missing, which are booleans, which are decimal numbers. "NaN" and "Infinity"
 * are none of these: in a number column they are errors, never values a model sees.
 */
export const MISSING_CELLS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'null', 'NULL', 'None']);
export const TRUE_CELLS: ReadonlySet<string> = new Set(['true', 'True', 'TRUE']);
export const FALSE_CELLS: ReadonlySet<string> = new Set(['false', 'False', 'FALSE']);
/** A decimal number, optionally signed, with an optional exponent. */
export const DECIMAL_CELL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
