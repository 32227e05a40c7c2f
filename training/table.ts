/**
 * A loaded data set, column by column in typed arrays (no object per row), so a million rows
 * cost a few bytes per cell. Missing cells are NaN (numbers, booleans) or -1 (category codes);
 * the encoding decides what they become before a trainer sees them.
 */
import type { FeatureType } from './spec.ts';

export interface NumberColumn {
  kind: 'number';
  values: Float64Array;
}
export interface BooleanColumn {
  kind: 'boolean';
  /** 0, 1 or NaN (missing). */
  values: Float64Array;
}
export interface CategoryColumn {
  kind: 'category';
  /** Index into `levels`, or -1 when missing. */
  codes: Int32Array;
  /** Distinct values in order of first appearance. */
  levels: string[];
}
export type Column = NumberColumn | BooleanColumn | CategoryColumn;

export interface Table {
  /** Where the rows came from, for error messages. */
  file: string;
  rowCount: number;
  /** Column names in file order (only the columns that were loaded). */
  names: string[];
  columns: Map<string, Column>;
  /** sha256 of the file's bytes. */
  sha256: string;
}

/** A cell's value as the encoding sees it; null is missing. */
export type RawValue = number | string | boolean | null;

export function columnType(column: Column): FeatureType {
  return column.kind;
}

/** The raw value of one cell, for error messages and row-wise paths. */
export function cellValue(column: Column, row: number): RawValue {
  if (column.kind === 'category') {
    const code = column.codes[row]!;
    return code < 0 ? null : column.levels[code]!;
  }
  const v = column.values[row]!;
  if (Number.isNaN(v)) return null;
  return column.kind === 'boolean' ? v === 1 : v;
}

/** Row indices 0..n-1. */
export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
