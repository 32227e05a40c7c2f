/**
 * From a model spec to a sealed artifact: load the data, split (seeded, or the spec's holdout
 * file), learn the encoding on the training rows, train, evaluate on the holdout, compare with
 * the champion, apply the gates.
 */
import path from 'node:path';
import type { Artifact, ArtifactContent, SerializedArtifact } from './artifact.ts';
import { ARTIFACT_FORMAT, FOREST_TRAINER_VERSION, TRAINER_VERSION, sealArtifact } from './artifact.ts';
import type { ResolvedCartOptions } from './cart/train.ts';
import { trainCart } from './cart/train.ts';
import { toMlCart, predictClasses, predictValues } from './cart/tree.ts';
import type { CartTarget } from './cart/target.ts';
import { loadCsv } from './csv.ts';
import { NonFiniteNumberError } from './canonical-json.ts';
import type { FeatureEncoding } from './encoding.ts';
import { compareStrings, compileEncoding, encodeTable, encodedWidth, learnEncoding } from './encoding.ts';
import { toMlRandomForest } from './forest/model-json.ts';
import { forestClasses, forestValues } from './forest/predict.ts';
import type { ResolvedForestOptions } from './forest/params.ts';
import { trainForest } from './forest/train.ts';
import { DataError, MlshipError, SpecError, describeError } from './errors.ts';
import type { TargetRows } from './data-summary.ts';
import { summarizeData } from './data-summary.ts';
import type { GateCheck } from './gates.ts';
import { evaluateGates, gatesPassed } from './gates.ts';
import type { Metrics } from './metrics.ts';
import { classificationMetrics, regressionMetrics } from './metrics.ts';
import { loadModel, predictTable } from './model.ts';
import type { HoldoutRows, PredictionDiff } from './prediction-diff.ts';
import { diffClasses, diffValues } from './prediction-diff.ts';
import type { FeatureType, LoadedSpec } from './spec.ts';
import { declaredFeatures, modelFile } from './spec.ts';
import { checkLimits } from './limits.ts';
import { seededSplit } from './split.ts';
import type { Table } from './table.ts';
import { allRows } from './table.ts';

export type TrainProgress = { phase: 'load'; rows: number } | { phase: 'train'; fraction: number };

export interface TrainOptions {
  /** The version currently served (from the base branch's lock), for `maxRegression` gates. */
  champion?: Artifact;
  onProgress?: (event: TrainProgress) => void;
  /** Worker threads for a random forest (default: one per core); the artifact is the same whatever the count. */
  threads?: number;
}

/** Wall time of each phase of `trainModel`, in ms: what a user waits for, phase by phase. */
export interface TrainPhases {
  /** Reading and parsing the data (and holdout) files, and the seeded split. */
  load: number;
  /** Learning the encoding (medians, categories), encoding the training rows and their targets. */
  impute: number;
  /** Growing the tree (`trainMs`). */
  fit: number;
  /** Encoding and predicting the holdout, metrics, the champion, the summary and sealing. */
  evaluate: number;
}

export interface TrainResult extends SerializedArtifact {
  /** Time spent fitting the tree or forest (loading and encoding excluded). */
  trainMs: number;
  phasesMs: TrainPhases;
  trainRows: number;
  holdoutRows: number;
  /** Every gate check made, passed or not. */
  gates: GateCheck[];
  /** Whether every gate passed: only then is the candidate written and published. */
  passed: boolean;
  /** The champion's metrics on this holdout, when there was one to evaluate. */
  champion?: { version: string; metrics: Metrics; note?: string };
  /** How the candidate's holdout predictions differ from the champion's (when it could be evaluated here). */
  diff?: PredictionDiff;
}

interface Rows {
  table: Table;
  rows: Int32Array;
}

export async function trainModel(loaded: LoadedSpec, options: TrainOptions = {}): Promise<TrainResult> {
  const { spec } = loaded;
  const declared = declaredFeatures(spec);
  if (declared?.some((f) => f.name === spec.target)) {
    throw new SpecError(`the target "${spec.target}" cannot also be a feature`, { file: loaded.file, field: 'features' });
  }
  const loadStarted = performance.now();
  const targetType: FeatureType = spec.task === 'classification' ? 'category' : 'number';
  const onRows = (rows: number) => options.onProgress?.({ phase: 'load', rows });
  const dataFile = await modelFile(loaded, spec.data, 'data');
  const data = await loadCsv(dataFile, {
    required: [{ name: spec.target, role: 'target' }],
    columns: (header) => [
      ...(declared ?? header.filter((name) => name !== spec.target).map((name) => ({ name }))),
      { name: spec.target, type: targetType },
    ],
    onProgress: onRows,
  });
  const featureNames = data.names.filter((name) => name !== spec.target);
  if (featureNames.length === 0) throw new SpecError('there are no feature columns besides the target', { file: loaded.file, field: 'features' });
  const limitTarget = { name: spec.target, classes: spec.task === 'classification' };
  checkLimits(data, limitTarget, featureNames, spec.limits);

  let train: Rows;
  let holdout: Rows;
  if (spec.holdout) {
    const types = new Map(data.names.map((name) => [name, data.columns.get(name)!.kind]));
    const holdoutTable = await loadCsv(await modelFile(loaded, spec.holdout, 'holdout'), {
      required: [{ name: spec.target, role: 'target' }],
      columns: () => data.names.map((name) => ({ name, type: types.get(name) })),
      onProgress: onRows,
    });
    checkLimits(holdoutTable, limitTarget, featureNames, spec.limits);
    train = { table: data, rows: allRows(data.rowCount) };
    holdout = { table: holdoutTable, rows: allRows(holdoutTable.rowCount) };
  } else {
    if (data.rowCount < 2) throw new DataError('at least 2 rows are needed to split off a holdout', { file: data.file });
    const split = seededSplit(data.rowCount, spec.split?.test ?? 0.2, spec.split?.seed ?? 42);
    train = { table: data, rows: split.train };
    holdout = { table: data, rows: split.holdout };
  }

  const imputeStarted = performance.now();
  const features = learnEncoding(train.table, featureNames, train.rows);
  const encoding = compileEncoding(features);
  const x = encodeTable(encoding, train.table, train.rows);

  let target: CartTarget;
  let classes: string[] | undefined;
  if (spec.task === 'classification') {
    classes = classNames(spec.target, [train, holdout]);
    target = { kind: 'classification', classes: classCodes(spec.target, train, classes), classCount: classes.length };
  } else {
    target = { kind: 'regression', values: targetValues(spec.target, train) };
  }

  const started = performance.now();
  const onTrain = (fraction: number) => options.onProgress?.({ phase: 'train', fraction });
  const fitted = spec.algorithm === 'random-forest' ? await fitForest(x, encoding.width, features, target, spec.params, options.threads, onTrain) : fitCart(x, encoding.width, target, spec.params, onTrain);
  const trainMs = performance.now() - started;

  // The holdout's true targets, read once for the candidate and the champion alike.
  const truth: HoldoutTruth = classes
    ? { kind: 'classification', classes, codes: classCodes(spec.target, holdout, classes) }
    : { kind: 'regression', values: targetValues(spec.target, holdout) };
  const holdoutX = encodeTable(encoding, holdout.table, holdout.rows);

  const candidate = fitted.predict(holdoutX);
  const compared = options.champion ? await evaluateChampion(options.champion, { ...holdout, features: featureNames }, truth, candidate) : undefined;
  const champion = compared?.champion;
  const holdoutMetrics: Metrics = truth.kind === 'classification' ? classificationMetrics(truth.codes, candidate.classes!, truth.classes.length) : regressionMetrics(truth.values, candidate.values!);
  const metrics: Metrics = { ...holdoutMetrics, ...fitted.metrics };
  const gates = evaluateGates(spec.gates, metrics, champion);
  const targetRows: TargetRows =
    target.kind === 'classification' && truth.kind === 'classification'
      ? { kind: 'classes', classes: truth.classes, train: target.classes, holdout: truth.codes }
      : { kind: 'values', train: (target as Extract<CartTarget, { kind: 'regression' }>).values, holdout: (truth as Extract<HoldoutTruth, { kind: 'regression' }>).values };

  const fileRef = (t: Table) => ({ file: path.relative(loaded.dir, t.file).split(path.sep).join('/'), sha256: t.sha256, rows: t.rowCount });
  const content: ArtifactContent = {
    format: ARTIFACT_FORMAT,
    name: loaded.name,
    task: spec.task,
    algorithm: spec.algorithm,
    params: { ...fitted.options, maxDepth: Number.isFinite(fitted.options.maxDepth) ? fitted.options.maxDepth : null },
    features,
    target: classes ? { name: spec.target, classes } : { name: spec.target },
    model: fitted.model,
    ...(fitted.importances ? { importances: fitted.importances } : {}),
    metrics,
    data: summarizeData(train, holdout.rows.length, features, targetRows),
    lineage: {
      spec: { file: path.basename(loaded.file), sha256: loaded.sha256 },
      data: fileRef(data),
      holdout: spec.holdout ? fileRef(holdout.table) : null,
      split: spec.holdout ? null : { test: spec.split?.test ?? 0.2, seed: spec.split?.seed ?? 42 },
      trainer: fitted.trainer,
    },
  } as ArtifactContent;
  let sealed;
  try {
    sealed = sealArtifact(content);
  } catch (err) {
    // Values near the largest double overflow a metric or the data summary to Infinity.
    if (err instanceof NonFiniteNumberError) throw new DataError('the values are too large: a metric or summary computed from them is not a finite number', { file: data.file }, { cause: err });
    throw err;
  }
  const phasesMs: TrainPhases = { load: imputeStarted - loadStarted, impute: started - imputeStarted, fit: trainMs, evaluate: performance.now() - started - trainMs };
  return { ...sealed, trainMs, phasesMs, trainRows: train.rows.length, holdoutRows: holdout.rows.length, gates, passed: gatesPassed(gates), champion, diff: compared?.diff };
}

/** A fitted model as the artifact records it, and its predictions on encoded rows. */
interface Fitted {
  options: ResolvedCartOptions | ResolvedForestOptions;
  model: unknown;
  predict(x: Float64Array): Predictions;
  /** Metrics known from training itself (a forest's out-of-bag score). */
  metrics: Record<string, number>;
  importances?: Record<string, number>;
  trainer: string;
}

function fitCart(x: Float64Array, width: number, target: CartTarget, params: LoadedSpec['spec']['params'], onProgress: (fraction: number) => void): Fitted {
  const trained = trainCart(x, width, target, params, onProgress);
  return {
    options: trained.options,
    model: toMlCart(trained.tree, trained.mlCartOptions),
    predict: (hx) => (target.kind === 'classification' ? { classes: predictClasses(trained.tree, hx, width) } : { values: predictValues(trained.tree, hx, width) }),
    metrics: {},
    trainer: TRAINER_VERSION,
  };
}

async function fitForest(
  x: Float64Array,
  width: number,
  features: readonly FeatureEncoding[],
  target: CartTarget,
  params: LoadedSpec['spec']['params'],
  threads: number | undefined,
  onProgress: (fraction: number) => void,
): Promise<Fitted> {
  const forest = await trainForest(x, width, target, params, { threads, onProgress });
  // Importance per feature: the sum over its encoded inputs (a category's indicators).
  const importances: Record<string, number> = {};
  let at = 0;
  for (const f of features) {
    let sum = 0;
    for (let j = 0; j < encodedWidth(f); j++) sum += forest.importances[at++]!;
    importances[f.name] = sum;
  }
  const oob: Record<string, number> = forest.oobScore === null ? {} : target.kind === 'classification' ? { oobAccuracy: forest.oobScore } : { oobR2: forest.oobScore };
  return {
    options: forest.options,
    model: toMlRandomForest(forest.trees, forest.options, forest.mlCartOptions, width),
    predict: (hx) => (target.kind === 'classification' ? { classes: forestClasses(forest.trees, hx, width) } : { values: forestValues(forest.trees, hx, width) }),
    metrics: oob,
    importances,
    trainer: FOREST_TRAINER_VERSION,
  };
}

/** Sorted union of the class labels in all the given rows; a missing label is an error. */
function classNames(target: string, sets: Rows[]): string[] {
  const names = new Set<string>();
  for (const { table, rows } of sets) {
    const column = table.columns.get(target)!;
    if (column.kind !== 'category') throw new Error('classification target must load as category');
    const present = new Uint8Array(column.levels.length); // by level, not a Set lookup per row
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const code = column.codes[r]!;
      if (code < 0) throw new DataError('the target is missing', { file: table.file, row: r + 1, column: target });
      present[code] = 1;
    }
    column.levels.forEach((level, code) => present[code] === 1 && names.add(level));
  }
  if (names.size < 2) throw new DataError(`classification needs at least 2 classes in "${target}", found ${names.size}`, { file: sets[0]!.table.file, column: target });
  return [...names].sort(compareStrings);
}

function classCodes(target: string, { table, rows }: Rows, classes: string[]): Int32Array {
  const column = table.columns.get(target)!;
  if (column.kind !== 'category') throw new Error('classification target must load as category');
  const index = new Map(classes.map((c, i) => [c, i]));
  const levelToClass = Int32Array.from(column.levels, (level) => index.get(level) ?? -1);
  const codes = new Int32Array(rows.length); // a plain loop: Int32Array.from with a callback took 0.26 s at 1M rows
  for (let i = 0; i < rows.length; i++) codes[i] = levelToClass[column.codes[rows[i]!]!]!;
  return codes;
}

function targetValues(target: string, { table, rows }: Rows): Float64Array {
  const column = table.columns.get(target)!;
  if (column.kind !== 'number') throw new Error('regression target must load as number');
  return Float64Array.from(rows, (r) => {
    const v = column.values[r]!;
    if (Number.isNaN(v)) throw new DataError('the target is missing', { file: table.file, row: r + 1, column: target });
    return v;
  });
}

/**
 * The champion's metrics on this holdout. If it cannot be evaluated here (its features are not
 * in this data), its recorded metrics stand in, with a note saying so.
 */
type HoldoutTruth = { kind: 'classification'; classes: string[]; codes: Int32Array } | { kind: 'regression'; values: Float64Array };

/**
 * The holdout table with the columns a champion needs: when the candidate dropped a feature the
 * champion uses, the same file is read again for the champion's columns (same rows, same order),
 * so both are compared on the same holdout rows.
 */
async function withColumns(table: Table, features: readonly FeatureEncoding[]): Promise<Table> {
  if (features.every((f) => table.columns.has(f.name))) return table;
  return loadCsv(table.file, { columns: (header) => features.filter((f) => header.includes(f.name)).map((f) => ({ name: f.name, type: f.type })) });
}

/** A model's holdout predictions: class indexes (into its own class list) or values. */
interface Predictions {
  classes?: Int32Array;
  values?: Float64Array;
}

async function evaluateChampion(
  champion: Artifact,
  holdout: HoldoutRows,
  truth: HoldoutTruth,
  candidate: Predictions,
): Promise<{ champion: NonNullable<TrainResult['champion']>; diff?: PredictionDiff }> {
  try {
    const model = loadModel(champion);
    const predicted = predictTable(model, await withColumns(holdout.table, champion.features), holdout.rows);
    if (champion.task === 'classification' && truth.kind === 'classification' && predicted.classes) {
      // Map the champion's classes onto this run's; one it knows and this data lacks counts as a miss.
      const index = new Map(truth.classes.map((c, i) => [c, i]));
      const other = truth.classes.length;
      const mapped = predicted.classes.map((c) => index.get(champion.target.classes[c]!) ?? other);
      const names = (codes: Int32Array, classes: readonly string[]) => Array.from(codes, (c) => classes[c]!);
      return {
        champion: { version: champion.version, metrics: classificationMetrics(truth.codes, mapped, truth.classes.length + 1) },
        diff: diffClasses(holdout, names(truth.codes, truth.classes), names(predicted.classes, champion.target.classes), names(candidate.classes!, truth.classes)),
      };
    }
    if (champion.task === 'regression' && truth.kind === 'regression' && predicted.values) {
      return {
        champion: { version: champion.version, metrics: regressionMetrics(truth.values, predicted.values) },
        diff: diffValues(holdout, truth.values, predicted.values, candidate.values!),
      };
    }
    throw new DataError(`the champion is a ${champion.task} model`);
  } catch (err) {
    if (!(err instanceof MlshipError)) throw err;
    return { champion: { version: champion.version, metrics: champion.metrics, note: `evaluated from its recorded metrics: ${describeError(err)}` } };
  }
}
