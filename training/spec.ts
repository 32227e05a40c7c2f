/**
 * The model spec, `models/<name>/model.yaml`: one zod schema, parsed with the `yaml` package.
 * Errors name the file, the line (from the YAML document's source positions) and the field.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SpecError } from './errors.ts';
import { MODEL_NAME_RULE, isModelName } from './identifiers.ts';
import { limitsSchema } from './limits.ts';
import { FOREST_ONLY_PARAMS, forestOnlyParams } from './forest/params.ts';

export const TASKS = ['classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

export const ALGORITHMS = ['cart', 'random-forest'] as const;

export const FEATURE_TYPES = ['number', 'category', 'boolean'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** Metrics a gate may name, per task, and which way is better. */
export const METRIC_DIRECTION = {
  accuracy: 'higher',
  macroF1: 'higher',
  rmse: 'lower',
  mae: 'lower',
  r2: 'higher',
} as const;
export type MetricName = keyof typeof METRIC_DIRECTION;
export const TASK_METRICS: Record<Task, readonly MetricName[]> = {
  classification: ['accuracy', 'macroF1'],
  regression: ['rmse', 'mae', 'r2'],
};

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p), { message: 'must be a file in the model folder (data from s3:// or other URLs is not supported yet)' })
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a file inside the model folder (a relative path without "..")',
  });

const featureSchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), type: z.enum(FEATURE_TYPES) }),
]);

const metricBounds = z.partialRecord(z.enum(Object.keys(METRIC_DIRECTION) as [MetricName, ...MetricName[]]), z.number());

export const cartParamsSchema = z.strictObject({
  /** Depth of the deepest split; unlimited when absent (ml-cart's default). */
  maxDepth: z.int().min(1).max(64).optional(),
  /** A node with this many rows or fewer becomes a leaf (ml-cart's default: 3). */
  minNumSamples: z.int().min(1).optional(),
  /** A split must improve the node's impurity by more than this (default 0, as scikit-learn; ml-cart's is 0.01 for gini). */
  gainThreshold: z.number().min(0).optional(),
  /** How split points are searched: exact (presorted), histogram (≤ maxBins bins) or auto by row count. */
  splitter: z.enum(['auto', 'exact', 'histogram']).optional(),
  maxBins: z.int().min(2).max(256).optional(),
});
export type CartParams = z.infer<typeof cartParamsSchema>;

export const modelSpecSchema = z
  .strictObject({
    task: z.enum(TASKS),
    // Left out, a spec means a single tree (`cart`, the only algorithm before random-forest).
    algorithm: z.enum(ALGORITHMS).default('cart'),
    data: relativeFile,
    target: z.string().min(1),
    features: z.array(featureSchema).min(1).optional(),
    // The tree parameters, plus the forest's for `random-forest` (refused for cart below).
    params: cartParamsSchema.extend(forestOnlyParams).default({}),
    split: z
      .strictObject({
        test: z.number().gt(0).lt(1).default(0.2),
        seed: z.int().min(0).default(42),
      })
      .optional(),
    holdout: relativeFile.optional(),
    /** Bounds on what training makes (training/limits.ts has the defaults). */
    limits: limitsSchema.optional(),
    gates: z
      .strictObject({
        min: metricBounds.optional(),
        max: metricBounds.optional(),
        maxRegression: metricBounds.optional(),
      })
      .default({}),
  })
  .superRefine((spec, ctx) => {
    const names = (spec.features ?? []).map((f) => (typeof f === 'string' ? f : f.name));
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) ctx.addIssue({ code: 'custom', path: ['features'], message: `names "${twice}" twice` });
    for (const key of FOREST_ONLY_PARAMS) {
      if (spec.algorithm !== 'random-forest' && spec.params[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['params', key], message: `"${key}" is a random-forest parameter (algorithm is ${spec.algorithm})` });
      }
    }
    if (spec.params.maxSamples !== undefined && spec.params.bootstrap === false) {
      ctx.addIssue({ code: 'custom', path: ['params', 'maxSamples'], message: 'applies to bootstrap samples: it needs bootstrap: true' });
    }
    if (spec.split && spec.holdout) {
      ctx.addIssue({ code: 'custom', path: ['holdout'], message: 'give either "split" or "holdout", not both' });
    }
    const allowed = TASK_METRICS[spec.task];
    for (const kind of ['min', 'max', 'maxRegression'] as const) {
      for (const metric of Object.keys(spec.gates[kind] ?? {})) {
        if (!allowed.includes(metric as MetricName)) {
          ctx.addIssue({
            code: 'custom',
            path: ['gates', kind, metric],
            message: `"${metric}" is not a ${spec.task} metric (use ${allowed.join(', ')})`,
          });
        }
      }
    }
  });
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** A spec as read from disk, with what lineage needs. */
export interface LoadedSpec {
  name: string;
  dir: string;
  file: string;
  sha256: string;
  spec: ModelSpec;
}

export const SPEC_FILE = 'model.yaml';

/** Reads and validates `<dir>/model.yaml`; the model's name is the folder's name. */
export async function loadSpec(dir: string): Promise<LoadedSpec> {
  const file = path.join(dir, SPEC_FILE);
  const name = path.basename(path.resolve(dir));
  if (!isModelName(name)) {
    throw new SpecError(`model folder name "${name}" is not a valid model name (${MODEL_NAME_RULE})`, { file: dir });
  }
  if (await linksOutside(dir, file)) throw new SpecError('the model spec is a link to a file outside the model folder', { file });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SpecError(`cannot read the model spec (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, { cause: err });
  }
  return { name, dir, file, sha256: createHash('sha256').update(text).digest('hex'), spec: parseSpec(text, file) };
}

/** Parses spec text; `file` only labels errors. */
export function parseSpec(text: string, file: string): ModelSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new SpecError(`invalid YAML: ${yamlError.message.split('\n')[0]}`, { file, line });
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // The yaml library bounds alias expansion (an "alias bomb") by throwing a ReferenceError.
    throw new SpecError(`invalid YAML: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SpecError('expected a mapping of fields (task, algorithm, data, target, ...)', { file, line: 1 });
  }
  const result = modelSpecSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const fieldPath = issue.path.map(String);
    throw new SpecError(describeIssue(issue), {
      file,
      line: lineOf(doc, lineCounter, issue.path),
      field: fieldPath.join('.') || undefined,
    });
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message;
}

/** The line of the deepest node of `fieldPath` that exists in the document. */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, fieldPath: PropertyKey[]): number | undefined {
  for (let depth = fieldPath.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * The path of a file the spec names (`data`, `holdout`), checked to stay inside the model folder
 * once symbolic links are resolved: a pull request must not point training at files elsewhere.
 */
export async function modelFile(loaded: LoadedSpec, relative: string, field: 'data' | 'holdout'): Promise<string> {
  const file = path.join(loaded.dir, relative);
  if (await linksOutside(loaded.dir, file)) {
    throw new SpecError('must be a file inside the model folder, but it is a link to a file outside it', { file: loaded.file, field });
  }
  return file;
}

/** Whether `file`, once symbolic links are resolved, lies outside `dir` (false when it is missing: its reader reports that). */
async function linksOutside(dir: string, file: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return false;
  }
  const inside = path.relative(await realpath(dir), real);
  return inside.split(path.sep)[0] === '..' || path.isAbsolute(inside);
}

/** Feature declarations normalised: name plus a declared type, if any. */
export function declaredFeatures(spec: ModelSpec): { name: string; type?: FeatureType }[] | undefined {
  return spec.features?.map((f) => (typeof f === 'string' ? { name: f } : f));
}
