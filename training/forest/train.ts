/**
 * Random forest training: the data is checked, shared and presorted or binned once, the trees
 * are grown in parallel (pool.ts), and the out-of-bag score and feature importances are computed
 * from the trees in tree order. Deterministic: the same inputs give the same trees whatever the
 * thread count.
 */
import { availableParallelism } from 'node:os';
import type { CartTarget } from '../cart/target.ts';
import { mlCartOptionsOf } from '../cart/train.ts';
import type { FlatTree, MlCartOptions } from '../cart/tree.ts';
import { prepareForestData } from './forest-data.ts';
import { featureImportances } from './importances.ts';
import { oobScore } from './oob.ts';
import type { ForestOptions, ResolvedForestOptions } from './params.ts';
import { resolveForestOptions } from './params.ts';
import { runForest } from './pool.ts';

/** Below this many rows × trees, starting workers costs more than it saves: one thread by default. */
const WORKERS_ABOVE = 2_000_000;

export interface ForestRunOptions {
  /** Worker threads (default: one per core, or one for a small forest). */
  threads?: number;
  /** Gets the fraction of trees grown. */
  onProgress?: (fraction: number) => void;
}

export interface TrainedForest {
  trees: FlatTree[];
  options: ResolvedForestOptions;
  /** The options each tree's ml-cart JSON records. */
  mlCartOptions: MlCartOptions;
  /** Out-of-bag accuracy or R² (null without bootstrap, or when no row was left out). */
  oobScore: number | null;
  /** Mean decrease in impurity per encoded input, summing to 1. */
  importances: Float64Array;
  threads: number;
}

export async function trainForest(x: Float64Array, width: number, target: CartTarget, options: ForestOptions = {}, run: ForestRunOptions = {}): Promise<TrainedForest> {
  const rows = x.length / width;
  if (!Number.isInteger(rows) || rows === 0) throw new RangeError(`trainForest: ${x.length} values do not make rows of ${width}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`trainForest: input row ${Math.floor(i / width)}, column ${i % width} is ${x[i]}`);
  }
  const resolved = resolveForestOptions(options, target.kind, rows, width);
  const data = prepareForestData(x, width, target, resolved);
  const n = resolved.nEstimators;
  const threads = run.threads ?? (rows * n < WORKERS_ABOVE ? 1 : availableParallelism());
  const result = await runForest(data, threads, (done) => run.onProgress?.(done / n));
  const w = result.trees[0]!.valueWidth;
  return {
    trees: result.trees,
    options: resolved,
    mlCartOptions: mlCartOptionsOf(resolved, target.kind),
    oobScore: result.oob ? oobScore(result.oob, data, w) : null,
    importances: featureImportances(result.trees, width),
    threads: result.threads,
  };
}
