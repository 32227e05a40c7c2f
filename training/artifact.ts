/**
 * The model artifact, `model.json`: the one module that owns its format. Training writes it,
 * the registry stores it, serving reads it. Plain JSON, no code: the encoding, the ml-cart tree,
 * holdout metrics, a summary of the data and lineage.
 *
 * An artifact is a pure function of its inputs (spec, data, holdout, trainer): it holds no commit,
 * time, path or host, so the same inputs give the same bytes and the same `version` on any commit,
 * branch or machine. `version` is the first 12 hex digits of the sha256 of the canonical document
 * without it. The commit that produced a pin is provenance: it lives in the lock, not here.
 *
 * Format v1 (`mlship.model/v1`, which recorded the commit in its lineage) stays readable, as a
 * champion and in serving; training writes v2.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { dataSummarySchema } from './data-summary.ts';
import { featureEncodingSchema } from './feature-encoding.ts';
import { ArtifactError } from './errors.ts';
import { modelNameSchema, modelVersionSchema, sha256Schema } from './identifiers.ts';
import { classificationMetricsSchema, regressionMetricsSchema } from './metrics.ts';
import { mlCartModelSchema } from './cart/tree.ts';
import { mlRandomForestSchema } from './forest/model-json.ts';
import { forestArtifactParamsSchema } from './forest/params.ts';

export const ARTIFACT_FORMAT = 'mlship.model/v2';
export const ARTIFACT_FORMAT_V1 = 'mlship.model/v1';
/** Bumped whenever training could give a different tree from the same inputs. */
export const TRAINER_VERSION = 'mlship-cart/2';
/** The same rule for random forests (their trees, draws and out-of-bag score). */
export const FOREST_TRAINER_VERSION = 'mlship-forest/1';

const fileRef = z.strictObject({ file: z.string(), sha256: sha256Schema, rows: z.int().min(1) });

const lineageV2 = z.strictObject({
  spec: z.strictObject({ file: z.string(), sha256: sha256Schema }),
  data: fileRef,
  holdout: fileRef.nullable(),
  split: z.strictObject({ test: z.number(), seed: z.int() }).nullable(),
  trainer: z.string(),
});
const lineageV1 = lineageV2.extend({ commit: z.string().nullable() });

const common = {
  name: modelNameSchema,
  version: modelVersionSchema,
  algorithm: z.literal('cart'),
  params: z.strictObject({
    maxDepth: z.int().nullable(),
    minNumSamples: z.int(),
    gainThreshold: z.number(),
    splitter: z.enum(['exact', 'histogram']),
    maxBins: z.int(),
  }),
  features: z.array(featureEncodingSchema).min(1),
  model: mlCartModelSchema,
};
const classification = {
  task: z.literal('classification'),
  target: z.strictObject({ name: z.string(), classes: z.array(z.string()).min(1) }),
  metrics: classificationMetricsSchema,
};
const regression = {
  task: z.literal('regression'),
  target: z.strictObject({ name: z.string() }),
  metrics: regressionMetricsSchema,
};

const v2 = { ...common, format: z.literal(ARTIFACT_FORMAT), lineage: lineageV2, data: dataSummarySchema };
const v1 = { ...common, format: z.literal(ARTIFACT_FORMAT_V1), lineage: lineageV1 };
/** A random forest (v2 only): ml-random-forest's JSON, and the importance of each feature (summing to 1). */
const forestV2 = {
  ...v2,
  algorithm: z.literal('random-forest'),
  params: forestArtifactParamsSchema,
  model: mlRandomForestSchema,
  importances: z.record(z.string(), z.number()),
};

export const artifactSchema = z.union([
  z.discriminatedUnion('task', [z.strictObject({ ...v2, ...classification }), z.strictObject({ ...v2, ...regression })]),
  z.discriminatedUnion('task', [z.strictObject({ ...v1, ...classification }), z.strictObject({ ...v1, ...regression })]),
  z.discriminatedUnion('task', [z.strictObject({ ...forestV2, ...classification }), z.strictObject({ ...forestV2, ...regression })]),
]);
/** Any readable artifact (v2, or v1 as a champion or in serving). */
export type Artifact = z.infer<typeof artifactSchema>;
/** What training writes now. */
export type ArtifactV2 = Extract<Artifact, { format: typeof ARTIFACT_FORMAT }>;

/** Everything but the version, which is derived (per kind of artifact). */
export type ArtifactContent = ArtifactV2 extends infer A ? (A extends unknown ? Omit<A, 'version'> : never) : never;

export interface SerializedArtifact {
  artifact: ArtifactV2;
  /** The file's exact bytes (canonical JSON). */
  bytes: Buffer;
  sha256: string;
}

export function sha256(bytes: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Derives the version and gives the artifact's canonical bytes. */
export function sealArtifact(content: ArtifactContent): SerializedArtifact {
  const version = sha256(canonicalJson(content)).slice(0, 12);
  const artifact = { ...content, version } as ArtifactV2;
  const bytes = Buffer.from(canonicalJson(artifact));
  return { artifact, bytes, sha256: sha256(bytes) };
}

/** Parses and validates artifact bytes (v2 or v1); `source` labels errors (a path or URI). */
export function parseArtifact(bytes: Buffer | Uint8Array | string, source: string): Artifact {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
  } catch (err) {
    throw new ArtifactError(`not valid JSON (${(err as Error).message})`, { file: source });
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== ARTIFACT_FORMAT && format !== ARTIFACT_FORMAT_V1) {
    throw new ArtifactError(`unknown artifact format ${JSON.stringify(format)} (this mlship reads ${ARTIFACT_FORMAT} and ${ARTIFACT_FORMAT_V1})`, { file: source, field: 'format' });
  }
  const result = artifactSchema.safeParse(raw);
  if (!result.success) {
    // The union reports every branch; the branch of the document's own format says what is wrong.
    const forest = (raw as { algorithm?: unknown }).algorithm === 'random-forest';
    const issue = innermostIssue(result.error.issues, format === ARTIFACT_FORMAT ? (forest ? 2 : 0) : 1);
    throw new ArtifactError(issue.message, { file: source, field: issue.path.map(String).join('.') || undefined });
  }
  const artifact = result.data;
  const { version, ...content } = artifact;
  const expected = sha256(canonicalJson(content)).slice(0, 12);
  if (expected !== version) {
    throw new ArtifactError(`version ${version} does not match its content (which gives ${expected}): the file was altered`, {
      file: source,
      field: 'version',
    });
  }
  return artifact;
}

/** The first issue of union branch `branch` (and of its task branch), or the first issue there is. */
function innermostIssue(issues: z.core.$ZodIssue[], branch: number): z.core.$ZodIssue {
  let issue = issues[0]!;
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const errors = issue.errors.length > branch ? issue.errors[branch]! : issue.errors[0]!;
    if (errors.length === 0) break;
    const inner: z.core.$ZodIssue = errors[0]!;
    issue = { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
    branch = 0;
  }
  return issue;
}
