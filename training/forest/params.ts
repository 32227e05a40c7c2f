/**
 * The random forest's parameters: what a spec may say (beside the tree parameters) and what they
 * resolve to for a given training set, with scikit-learn's meanings and defaults.
 */
import { z } from 'zod';
import type { CartOptions, ResolvedCartOptions } from '../cart/train.ts';
import { resolveCartOptions } from '../cart/train.ts';
import type { CartTarget } from '../cart/target.ts';

const fraction = z.number().gt(0).max(1);

/** The spec's forest-only parameters (model.yaml `params`), added to the tree parameters. */
export const forestOnlyParams = {
  /** Number of trees (scikit-learn's n_estimators; default 100). */
  nEstimators: z.int().min(1).max(10_000).optional(),
  /** Features tried at each split: sqrt, log2 or all of them, a count, or a fraction (0, 1]. */
  maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.int().min(1), fraction]).optional(),
  /** Each tree trains on a bootstrap sample (rows drawn with replacement; default true). */
  bootstrap: z.boolean().optional(),
  /** Rows drawn per tree with bootstrap: a count or a fraction of the training rows (default all). */
  maxSamples: z.union([z.int().min(1), fraction]).optional(),
  /** Seed of the bootstrap and feature draws (default 42). */
  seed: z.int().min(0).max(0xffffffff).optional(),
};
export const FOREST_ONLY_PARAMS = Object.keys(forestOnlyParams) as (keyof typeof forestOnlyParams)[];

export interface ForestOptions extends CartOptions {
  nEstimators?: number;
  maxFeatures?: 'sqrt' | 'log2' | 'all' | number;
  bootstrap?: boolean;
  maxSamples?: number;
  seed?: number;
}

export interface ResolvedForestOptions extends ResolvedCartOptions {
  nEstimators: number;
  /** Features tried per split, 1 … width. */
  maxFeatures: number;
  bootstrap: boolean;
  /** Rows drawn per tree (with bootstrap), or every training row. */
  maxSamples: number;
  seed: number;
}

/** The resolved parameters as the artifact records them. */
export const forestArtifactParamsSchema = z.strictObject({
  nEstimators: z.int().min(1),
  maxFeatures: z.int().min(1),
  bootstrap: z.boolean(),
  maxSamples: z.int().min(1),
  seed: z.int().min(0),
  maxDepth: z.int().nullable(),
  minNumSamples: z.int(),
  gainThreshold: z.number(),
  splitter: z.enum(['exact', 'histogram']),
  maxBins: z.int(),
});

/**
 * scikit-learn's forest defaults, not ml-cart's tree defaults: trees grown until pure (a node of
 * 2 rows may split, no minimum gain), √features per split for classes, all for regression.
 */
export function resolveForestOptions(options: ForestOptions, kind: CartTarget['kind'], rows: number, width: number): ResolvedForestOptions {
  const tree = resolveCartOptions({ minNumSamples: 1, gainThreshold: 0, ...stripUndefined(options) }, kind, rows);
  const mf = options.maxFeatures ?? (kind === 'classification' ? 'sqrt' : 'all');
  const maxFeatures =
    mf === 'sqrt' ? Math.floor(Math.sqrt(width)) : mf === 'log2' ? Math.floor(Math.log2(width)) : mf === 'all' ? width : Number.isInteger(mf) && mf > 1 ? mf : Math.floor(mf * width);
  const bootstrap = options.bootstrap ?? true;
  const ms = options.maxSamples;
  const maxSamples = !bootstrap || ms === undefined ? rows : Number.isInteger(ms) && ms > 1 ? Math.min(ms, rows) : Math.max(1, Math.round(ms * rows));
  return {
    ...tree,
    nEstimators: options.nEstimators ?? 100,
    maxFeatures: Math.min(width, Math.max(1, maxFeatures)),
    bootstrap,
    maxSamples,
    seed: options.seed ?? 42,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
