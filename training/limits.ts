/**
 * Limits on what training makes, checked on the loaded table before anything is encoded or
 * fitted: a few hundred kilobytes of CSV can otherwise ask for a model of millions of encoded
 * inputs or classes (10,000 classes made a 200 MB artifact and 3.4 GB of memory; 2,000 text
 * columns took 52 s and 2.9 GB). Each limit is configurable in the spec (`limits:`), and its
 * error names the column and the setting to raise.
 */
import { z } from 'zod';
import { DataError } from './errors.ts';
import type { Table } from './table.ts';

export const DEFAULT_LIMITS = {
  /** Classes of a classification target: each leaf stores a probability per class. */
  maxClasses: 1_000,
  /** Categories of one category feature: each is an encoded input. */
  maxCategories: 10_000,
  /** Encoded inputs of all features together (a number or boolean is 1, a category one per category). */
  maxEncodedWidth: 10_000,
} as const;

export const limitsSchema = z.strictObject({
  maxClasses: z.int().min(2).optional(),
  maxCategories: z.int().min(1).optional(),
  maxEncodedWidth: z.int().min(1).optional(),
});
export type Limits = z.infer<typeof limitsSchema>;

/**
 * Throws a DataError naming the column when the table's target has more classes, or a feature
 * more categories, than allowed, or when the features would encode to too many inputs. Counts are
 * the distinct values in the whole file, an upper bound on what the training rows hold.
 */
export function checkLimits(table: Table, target: { name: string; classes: boolean }, features: readonly string[], limits: Limits = {}): void {
  const max = { ...DEFAULT_LIMITS, ...limits };
  const count = (n: number) => n.toLocaleString('en-US');
  const targetColumn = table.columns.get(target.name);
  if (target.classes && targetColumn?.kind === 'category' && targetColumn.levels.length > max.maxClasses) {
    throw new DataError(`the target has ${count(targetColumn.levels.length)} classes, over the limit of ${count(max.maxClasses)} (raise limits.maxClasses in the spec if this is meant)`, {
      file: table.file,
      column: target.name,
    });
  }
  let width = 0;
  let widest = { name: '', width: 0 };
  for (const name of features) {
    const column = table.columns.get(name);
    const w = column?.kind === 'category' ? column.levels.length : 1;
    if (column?.kind === 'category' && w > max.maxCategories) {
      throw new DataError(`the feature has ${count(w)} categories, over the limit of ${count(max.maxCategories)} (raise limits.maxCategories in the spec, or drop the column from features)`, {
        file: table.file,
        column: name,
      });
    }
    width += w;
    if (w > widest.width) widest = { name, width: w };
  }
  if (width > max.maxEncodedWidth) {
    throw new DataError(
      `the ${count(features.length)} features encode to ${count(width)} inputs, over the limit of ${count(max.maxEncodedWidth)}; the widest is this column, with ${count(widest.width)} inputs (raise limits.maxEncodedWidth in the spec, or drop columns from features)`,
      { file: table.file, column: widest.name },
    );
  }
}
