/**
 * The forest as stored in an artifact: ml-random-forest's `toJSON()` form, so that
 * `RandomForestClassifier.load` / `RandomForestRegression.load` (ml-random-forest 2.1) read it,
 * with each tree in ml-cart's form (`estimators`). ml-random-forest samples features once per
 * tree; ours samples them at every split, so every tree is stored with all feature indices.
 * Its classifier predicts by hard vote (the most frequent tree class); mlship predicts by the
 * mean of the trees' class distributions, as scikit-learn does (training/forest/predict.ts).
 */
import { z } from 'zod';
import type { FlatTree, MlCartOptions } from '../cart/tree.ts';
import { ArtifactError } from '../errors.ts';
import { fromMlCart, mlCartModelSchema, toMlCart } from '../cart/tree.ts';
import type { ResolvedForestOptions } from './params.ts';

const baseModel = z.strictObject({
  /** Per tree, the input columns it reads (ours: all of them, in order). */
  indexes: z.array(z.array(z.int().min(0))),
  /** Inputs per tree. */
  n: z.int().min(1),
  replacement: z.boolean(),
  maxFeatures: z.number(),
  nEstimators: z.int().min(1),
  treeOptions: mlCartModelSchema.shape.options,
  isClassifier: z.boolean(),
  seed: z.int(),
  estimators: z.array(mlCartModelSchema).min(1),
  useSampleBagging: z.boolean(),
});

export const mlRandomForestSchema = z.union([
  z.strictObject({ name: z.literal('RFClassifier'), baseModel }),
  z.strictObject({ name: z.literal('RFRegression'), selectionMethod: z.literal('mean'), baseModel }),
]);
export type MlRandomForestModel = z.infer<typeof mlRandomForestSchema>;

export function toMlRandomForest(trees: readonly FlatTree[], options: ResolvedForestOptions, treeOptions: MlCartOptions, width: number): MlRandomForestModel {
  const all = Array.from({ length: width }, (_, i) => i);
  const base = {
    indexes: trees.map(() => all),
    n: width,
    replacement: false,
    maxFeatures: width,
    nEstimators: trees.length,
    treeOptions,
    isClassifier: treeOptions.kind === 'classifier',
    seed: options.seed,
    estimators: trees.map((t) => toMlCart(t, treeOptions)),
    useSampleBagging: options.bootstrap,
  };
  return treeOptions.kind === 'classifier' ? { name: 'RFClassifier', baseModel: base } : { name: 'RFRegression', selectionMethod: 'mean', baseModel: base };
}

/** The flat trees of a stored forest; `width` is the artifact's input count, which every tree must read whole. */
export function fromMlRandomForest(model: MlRandomForestModel, classCount: number, width: number): FlatTree[] {
  const { indexes, estimators } = model.baseModel;
  if (indexes.length !== estimators.length || indexes.some((idx) => idx.length !== width || idx.some((f, i) => f !== i))) {
    throw new ArtifactError('every tree of the forest must read all inputs in order (indexes 0 … n−1)', { field: 'model.baseModel.indexes' });
  }
  return estimators.map((e) => fromMlCart(e, classCount));
}
