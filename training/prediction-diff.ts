/**
 * What a candidate changes on the shared holdout, compared with the champion: how many rows get a
 * different prediction, the old-to-new flip matrix (classification) or the distribution of the
 * changes (regression), and a few example rows with their features. This is what a reviewer of a
 * pull request most needs and what no metric shows: two models with the same accuracy can
 * disagree on many rows.
 */
import { z } from 'zod';
import { compareStrings } from './encoding.ts';
import type { RawValue, Table } from './table.ts';
import { cellValue } from './table.ts';

export const MAX_EXAMPLES = 5;

const rawValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const example = <T extends z.ZodType>(prediction: T) =>
  z.strictObject({
    /** 1-based data row in the holdout's file. */
    row: z.int().min(1),
    features: z.record(z.string(), rawValue),
    actual: prediction,
    champion: prediction,
    candidate: prediction,
  });

export const predictionDiffSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('classes'),
    rows: z.int().min(0),
    changed: z.int().min(0),
    /** Row labels: the champion's prediction; column labels: the candidate's. */
    labels: z.array(z.string()),
    flips: z.array(z.array(z.int().min(0))),
    examples: z.array(example(z.string())).max(MAX_EXAMPLES),
  }),
  z.strictObject({
    kind: z.literal('values'),
    rows: z.int().min(0),
    changed: z.int().min(0),
    /** candidate − champion, over every holdout row. */
    delta: z.strictObject({ mean: z.number(), meanAbs: z.number(), min: z.number(), p10: z.number(), median: z.number(), p90: z.number(), max: z.number() }),
    examples: z.array(example(z.number())).max(MAX_EXAMPLES),
  }),
]);
export type PredictionDiff = z.infer<typeof predictionDiffSchema>;

/** The holdout rows both models predicted, and where their features come from. */
export interface HoldoutRows {
  table: Table;
  rows: Int32Array;
  features: readonly string[];
}

function featuresOf(holdout: HoldoutRows, i: number): Record<string, RawValue> {
  const r = holdout.rows[i]!;
  return Object.fromEntries(holdout.features.map((name) => [name, cellValue(holdout.table.columns.get(name)!, r)]));
}

/** Predictions as class names, for models whose class lists may differ. */
export function diffClasses(holdout: HoldoutRows, actual: readonly string[], champion: readonly string[], candidate: readonly string[]): PredictionDiff {
  const labels = [...new Set([...champion, ...candidate])].sort(compareStrings);
  const index = new Map(labels.map((l, i) => [l, i]));
  const flips = labels.map(() => new Array<number>(labels.length).fill(0));
  const examples: Extract<PredictionDiff, { kind: 'classes' }>['examples'] = [];
  let changed = 0;
  for (let i = 0; i < candidate.length; i++) {
    flips[index.get(champion[i]!)!]![index.get(candidate[i]!)!]!++;
    if (champion[i] === candidate[i]) continue;
    changed++;
    if (examples.length < MAX_EXAMPLES) examples.push({ row: holdout.rows[i]! + 1, features: featuresOf(holdout, i), actual: actual[i]!, champion: champion[i]!, candidate: candidate[i]! });
  }
  return { kind: 'classes', rows: candidate.length, changed, labels, flips, examples };
}

/** A change smaller than this is floating-point noise, not a different prediction. */
const SAME_VALUE = 1e-9;

export function diffValues(holdout: HoldoutRows, actual: Float64Array, champion: Float64Array, candidate: Float64Array): PredictionDiff {
  const n = candidate.length;
  const delta = new Float64Array(n);
  let changed = 0;
  let sum = 0;
  let sumAbs = 0;
  for (let i = 0; i < n; i++) {
    const d = candidate[i]! - champion[i]!;
    delta[i] = d;
    sum += d;
    sumAbs += Math.abs(d);
    if (Math.abs(d) > SAME_VALUE * Math.max(1, Math.abs(champion[i]!))) changed++;
  }
  const sorted = Float64Array.from(delta).sort();
  const quantile = (q: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * (n - 1) + 0.5))]!);
  // The rows that moved most, in row order among equals, so the choice is deterministic.
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => Math.abs(delta[i]!) > SAME_VALUE * Math.max(1, Math.abs(champion[i]!)))
    .sort((a, b) => Math.abs(delta[b]!) - Math.abs(delta[a]!) || a - b)
    .slice(0, MAX_EXAMPLES);
  return {
    kind: 'values',
    rows: n,
    changed,
    delta: { mean: n ? sum / n : 0, meanAbs: n ? sumAbs / n : 0, min: quantile(0), p10: quantile(0.1), median: quantile(0.5), p90: quantile(0.9), max: quantile(1) },
    examples: order.map((i) => ({ row: holdout.rows[i]! + 1, features: featuresOf(holdout, i), actual: actual[i]!, champion: champion[i]!, candidate: candidate[i]! })),
  };
}
