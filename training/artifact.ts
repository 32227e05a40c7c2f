/**
 * The model artifact, `model.json`: the one module that owns its format. Training writes it,
 * the registry stores it, serving reads it. Plain JSON, no code: the encoding, the ml-cart tree,
 * holdout metrics and lineage. `version` is the first 12 hex digits of the sha256 of the
 * canonical document without it, so the same commit, data and spec give the same version.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { featureEncodingSchema } from './encoding.ts';
import { ArtifactError } from './errors.ts';
import { modelNameSchema, modelVersionSchema, sha256Schema } from './identifiers.ts';
import { classificationMetricsSchema, regressionMetricsSchema } from './metrics.ts';
import { mlCartModelSchema } from './cart/tree.ts';

export const ARTIFACT_FORMAT = 'mlship.model/v1';
/** Bumped whenever training could give a different tree from the same inputs. */
export const TRAINER_VERSION = 'mlship-cart/1';

const fileRef = z.strictObject({ file: z.string(), sha256: sha256Schema, rows: z.int().min(1) });

const common = {
  format: z.literal(ARTIFACT_FORMAT),
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
  lineage: z.strictObject({
    commit: z.string().nullable(),
    spec: z.strictObject({ file: z.string(), sha256: sha256Schema }),
    data: fileRef,
    holdout: fileRef.nullable(),
    split: z.strictObject({ test: z.number(), seed: z.int() }).nullable(),
    trainer: z.string(),
  }),
};

export const artifactSchema = z.discriminatedUnion('task', [
  z.strictObject({
    ...common,
    task: z.literal('classification'),
    target: z.strictObject({ name: z.string(), classes: z.array(z.string()).min(1) }),
    metrics: classificationMetricsSchema,
  }),
  z.strictObject({
    ...common,
    task: z.literal('regression'),
    target: z.strictObject({ name: z.string() }),
    metrics: regressionMetricsSchema,
  }),
]);
export type Artifact = z.infer<typeof artifactSchema>;

/** Everything but the version, which is derived. */
export type ArtifactContent = Omit<Artifact, 'version'>;

export interface SerializedArtifact {
  artifact: Artifact;
  /** The file's exact bytes (canonical JSON). */
  bytes: Buffer;
  sha256: string;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Derives the version and gives the artifact's canonical bytes. */
export function sealArtifact(content: ArtifactContent): SerializedArtifact {
  const version = sha256(canonicalJson(content)).slice(0, 12);
  const artifact = { ...content, version } as Artifact;
  const bytes = Buffer.from(canonicalJson(artifact));
  return { artifact, bytes, sha256: sha256(bytes) };
}

/** Parses and validates artifact bytes; `source` labels errors (a path or URI). */
export function parseArtifact(bytes: Buffer | string, source: string): Artifact {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString());
  } catch (err) {
    throw new ArtifactError(`not valid JSON (${(err as Error).message})`, { file: source });
  }
  const result = artifactSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
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
