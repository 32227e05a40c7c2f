/**
 * The results document the train job writes (`results.json`, with each passing artifact under
 * `artifacts/<name>/model.json` beside it): what publish publishes and report renders. One zod
 * schema validates it wherever it is read, including what a fork's untrusted run uploaded, so
 * every field is bounded and strict: nothing in it is trusted to be well-formed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Artifact } from '../../../training/artifact.ts';
import { sha256 } from '../../../training/artifact.ts';
import { writeFileAtomic } from '../../../training/atomic-write.ts';
import { dataSummarySchema } from '../../../training/data-summary.ts';
import { MlshipError } from '../../../training/errors.ts';
import { gateCheckSchema } from '../../../training/gates.ts';
import { MODEL_NAME_PART, commitIdSchema, modelNameSchema, modelVersionSchema, sha256Schema } from '../../../training/identifiers.ts';
import { classificationMetricsSchema, regressionMetricsSchema } from '../../../training/metrics.ts';
import { predictionDiffSchema } from '../../../training/prediction-diff.ts';
import type { TrainRun } from '../../../training/train-models.ts';

export class ResultsError extends MlshipError {}

export const RESULTS_FORMAT = 'mlship.results/v1';
export const RESULTS_FILE = 'results.json';
export const ARTIFACTS_DIR = 'artifacts';
/** The folder the train action writes by default, relative to the workspace. */
export const DEFAULT_RESULTS_DIR = '.mlship/results';

const text = (max = 2000) => z.string().max(max);
const metricsSchema = z.union([classificationMetricsSchema, regressionMetricsSchema]);

const placeSchema = z.strictObject({
  file: text(1000).optional(),
  line: z.int().min(0).optional(),
  row: z.int().min(0).optional(),
  column: text(500).optional(),
  field: text(500).optional(),
  model: text(200).optional(),
});

const trainedSchema = z.strictObject({
  name: modelNameSchema,
  status: z.enum(['passed', 'gate-failed']),
  version: modelVersionSchema,
  sha256: sha256Schema,
  task: z.enum(['classification', 'regression']),
  target: z.strictObject({ name: text(500), classes: z.array(text(500)).max(1000).optional() }),
  metrics: metricsSchema,
  data: dataSummarySchema,
  gates: z.array(gateCheckSchema).max(100),
  champion: z
    .strictObject({ version: modelVersionSchema, metrics: metricsSchema, note: text().optional(), data: dataSummarySchema.optional() })
    .optional(),
  diff: predictionDiffSchema.optional(),
  trainRows: z.int().min(0),
  holdoutRows: z.int().min(0),
  /** The commit trained (null: uncommitted changes). */
  commit: commitIdSchema.nullable(),
  /** The artifact's file, relative to the results folder (only a model that passed has one). */
  artifact: z.string().regex(new RegExp(`^${ARTIFACTS_DIR}/${MODEL_NAME_PART}/model\\.json$`)).nullable(),
  /** Something the reader must know about this result (set by the trusted report of a fork). */
  notes: z.array(text()).max(10).optional(),
});

const failedSchema = z.strictObject({
  name: modelNameSchema,
  status: z.literal('error'),
  error: z.strictObject({ kind: text(100), message: text(), place: placeSchema }),
});

export const modelResultSchema = z.discriminatedUnion('status', [trainedSchema, failedSchema]);
export type ModelResult = z.infer<typeof modelResultSchema>;
export type TrainedResult = z.infer<typeof trainedSchema>;

export const resultsSchema = z.strictObject({
  format: z.literal(RESULTS_FORMAT),
  /** The pull request's number (null for a local preview). */
  pullRequest: z.int().min(1).nullable(),
  head: z.strictObject({ sha: commitIdSchema.nullable(), repository: text(200).nullable() }),
  base: z.strictObject({ sha: commitIdSchema.nullable(), ref: text(300).nullable() }),
  /** `training/` changed: every model was retrained. */
  all: z.boolean(),
  /** Whether champions were read from the store (a fork's run has no credentials for it). */
  championsLoaded: z.boolean(),
  /** Every model trained and passed its gates (true when there was nothing to train). */
  passed: z.boolean(),
  models: z.array(modelResultSchema).max(500),
  /** Models whose folders the pull request deleted, with the version the base lock pinned. */
  removed: z.array(z.strictObject({ name: modelNameSchema, version: modelVersionSchema.nullable() })).max(500),
});
export type Results = z.infer<typeof resultsSchema>;

export interface ResultsContext {
  pullRequest: number | null;
  head: Results['head'];
  base: Results['base'];
  all: boolean;
  removed: Results['removed'];
  /** The champions the run was gated against, for their data summaries. */
  champions: ReadonlyMap<string, Artifact>;
  championsLoaded: boolean;
}

/** The results document of a training run. */
export function resultsFromRun(run: TrainRun, context: ResultsContext): Results {
  const models = run.models.map((o): ModelResult => {
    if (o.status === 'error') return { name: o.name, status: 'error', error: { kind: o.error.kind, message: o.error.message, place: { ...o.error.place } } };
    const r = o.result;
    const a = r.artifact;
    const champion = context.champions.get(o.name);
    return {
      name: o.name,
      status: o.status,
      version: a.version,
      sha256: r.sha256,
      task: a.task,
      target: a.task === 'classification' ? { name: a.target.name, classes: a.target.classes } : { name: a.target.name },
      metrics: a.metrics,
      data: a.data,
      gates: r.gates,
      ...(r.champion ? { champion: { ...r.champion, ...(champion && 'data' in champion ? { data: champion.data } : {}) } } : {}),
      ...(r.diff ? { diff: r.diff } : {}),
      trainRows: r.trainRows,
      holdoutRows: r.holdoutRows,
      commit: o.commit,
      artifact: o.file ? `${ARTIFACTS_DIR}/${o.name}/model.json` : null,
    };
  });
  return {
    format: RESULTS_FORMAT,
    pullRequest: context.pullRequest,
    head: context.head,
    base: context.base,
    all: context.all,
    championsLoaded: context.championsLoaded,
    passed: run.passed,
    models,
    removed: context.removed,
  };
}

/** Validates a results document's text; errors name the file and the field. */
export function parseResults(bytes: string | Uint8Array, file: string): Results {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ResultsError(`not valid JSON (${(err as Error).message})`, { file });
  }
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ResultsError(issue.message, { file, field: issue.path.map(String).join('.') || '(root)' });
  }
  const results = parsed.data;
  const names = new Set<string>();
  for (const m of results.models) {
    if (names.has(m.name)) throw new ResultsError(`model "${m.name}" is listed twice`, { file, model: m.name });
    names.add(m.name);
    if (m.status !== 'error' && m.artifact !== null && m.artifact !== `${ARTIFACTS_DIR}/${m.name}/model.json`) {
      throw new ResultsError(`the artifact of "${m.name}" must be ${ARTIFACTS_DIR}/${m.name}/model.json`, { file, model: m.name, field: 'artifact' });
    }
  }
  return results;
}

export async function writeResults(dir: string, results: Results): Promise<string> {
  const file = path.join(dir, RESULTS_FILE);
  await writeFileAtomic(file, `${JSON.stringify(resultsSchema.parse(results), null, 2)}\n`);
  return file;
}

export async function readResults(dir: string): Promise<Results> {
  const file = path.join(dir, RESULTS_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ResultsError(`cannot read the results (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, { cause: err });
  }
  return parseResults(bytes, file);
}

/** The artifact bytes of a passed model, checked against the digest its result records. */
export async function readArtifactBytes(dir: string, result: TrainedResult): Promise<Buffer> {
  if (result.artifact === null) throw new ResultsError(`model "${result.name}" has no artifact (it did not pass)`, { model: result.name });
  const file = path.join(dir, result.artifact);
  const bytes = await readFile(file);
  const digest = sha256(bytes);
  if (digest !== result.sha256) {
    throw new ResultsError(`the artifact's sha256 is ${digest}, but the results record ${result.sha256}`, { file, model: result.name });
  }
  return bytes;
}

export function isTrained(m: ModelResult): m is TrainedResult {
  return m.status !== 'error';
}
