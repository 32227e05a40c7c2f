/**
 * The request and response schemas (zod): they validate requests and `GET /openapi.json` is
 * generated from them, so the documentation cannot drift from what the server accepts.
 *
 * Batches can hold 100,000 rows, so the per-value part is checked by the model's encoder rather
 * than zod: the runtime schemas (`*Envelope`) are the documented ones with the row/tensor
 * contents replaced by `unknown[]` (derived with `.extend`, never written twice), and the encoder
 * then checks each value against its feature's type, which is stricter than the documented union.
 *
 * Well-formed requests never reach these: the fast checks (plain-bodies.ts) accept them, and a
 * route imports this module on the first body they refuse (schema-fallback.ts), so that a worker
 * that only sees well-formed requests does not load zod.
 */
import { z } from 'zod';
import { badRequest, clip } from './errors.ts';
import type { RequestError } from './errors.ts';
import { V2_DATATYPES } from './plain-bodies.ts';

export const cellSchema = z
  .union([z.number(), z.string(), z.boolean(), z.null()])
  .meta({ description: "A feature value: a number, a category (string) or a boolean, as the feature's type says; null is missing (imputed)." });

export const instanceSchema = z
  .union([z.record(z.string(), cellSchema), z.array(cellSchema)])
  .meta({ description: "One row: an object with every feature by name (no others), or an array of values in the model's feature order." });

export const predictParametersSchema = z
  .strictObject({ probabilities: z.boolean().optional().meta({ description: 'Also return class probabilities (classification models).' }) })
  .meta({ description: 'Prediction options.' });

export const v1RequestSchema = z
  .strictObject({
    instances: z.array(instanceSchema).min(1),
    parameters: predictParametersSchema.optional(),
  })
  .meta({ description: 'TF Serving / KServe v1 predict request (row format).' });

/** What is checked before the encoder checks each row. */
export const v1EnvelopeSchema = v1RequestSchema.extend({ instances: z.array(z.unknown()).min(1) });

export type V1Envelope = z.infer<typeof v1EnvelopeSchema>;

export const v1ResponseSchema = z
  .strictObject({
    predictions: z.array(z.union([z.string(), z.number()])).meta({ description: 'Class names (classification) or values (regression), one per instance.' }),
    classes: z.array(z.string()).optional().meta({ description: 'With probabilities: the class order of each probabilities row.' }),
    probabilities: z.array(z.array(z.number())).optional().meta({ description: 'With probabilities: one row per instance, in `classes` order.' }),
  })
  ;

export const datatypeSchema = z.enum(V2_DATATYPES);

const tensorDataSchema = z
  .array(z.union([cellSchema, z.array(cellSchema)]))
  .meta({ description: 'Values, flat in row-major order, or one array per row.' });

export const v2InputSchema = z
  .strictObject({
    name: z.string().min(1).max(256).meta({ description: 'A feature name (one tensor per feature), or any name for one [rows, features] tensor.' }),
    shape: z.array(z.int().min(0)).min(1).max(2).meta({ description: '[rows] or [rows, 1] per feature; [rows, features] for one tensor.' }),
    datatype: datatypeSchema,
    parameters: z.record(z.string(), z.unknown()).optional(),
    data: tensorDataSchema,
  })
  ;

export const v2RequestedOutputSchema = z.strictObject({
  name: z.enum(['predictions', 'probabilities']),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const v2RequestSchema = z
  .strictObject({
    id: z.string().max(256).optional(),
    parameters: z.looseObject({ probabilities: z.boolean().optional() }).optional(),
    inputs: z.array(v2InputSchema).min(1),
    outputs: z.array(v2RequestedOutputSchema).optional().meta({ description: 'Which outputs to return; default predictions only (probabilities when asked).' }),
  })
  .meta({ description: 'Open Inference Protocol (KServe v2) inference request.' });

export const v2EnvelopeSchema = v2RequestSchema.extend({
  inputs: z.array(v2InputSchema.extend({ data: z.array(z.unknown()) })).min(1),
});

export type V2Envelope = z.infer<typeof v2EnvelopeSchema>;

export const v2OutputSchema = z
  .strictObject({
    name: z.string(),
    datatype: datatypeSchema,
    shape: z.array(z.int()),
    data: z.array(z.union([z.string(), z.number()])),
  })
  ;

export const v2ResponseSchema = z
  .strictObject({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().optional(),
    outputs: z.array(v2OutputSchema),
  })
  ;

const v2TensorMetadataSchema = z.strictObject({ name: z.string(), datatype: datatypeSchema, shape: z.array(z.int()) });

export const v2ModelMetadataSchema = z
  .strictObject({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.string(),
    inputs: z.array(v2TensorMetadataSchema),
    outputs: z.array(v2TensorMetadataSchema),
  })
  ;

export const v2ServerMetadataSchema = z
  .strictObject({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })
  ;

export const modelInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    sha256: z.string(),
    task: z.enum(['classification', 'regression']),
    ready: z.boolean(),
    error: z.string().optional(),
    algorithm: z.string().optional(),
    features: z.array(z.object({ name: z.string(), type: z.enum(['number', 'boolean', 'category']), categories: z.array(z.string()).optional() })).optional(),
    target: z.object({ name: z.string(), classes: z.array(z.string()).optional() }).optional(),
    metrics: z.record(z.string(), z.number()),
    source: z.object({ commit: z.string().nullable(), spec: z.string() }),
    lineage: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ description: 'A pinned model: what the lock says and, once loaded, what its artifact says.' });

export const modelListSchema = z.strictObject({ models: z.array(modelInfoSchema) });

export const errorSchema = z
  .looseObject({
    error: z.string().meta({ description: 'What is wrong, naming the part of the request.' }),
    row: z.int().optional().meta({ description: 'Row index (from 0) of a bad value.' }),
    feature: z.string().optional(),
    line: z.int().optional().meta({ description: 'CSV line (from 1).' }),
    field: z.string().optional().meta({ description: 'JSON path of a bad field.' }),
  })
  ;

/** Unknown keys named in an error, at most: the body stays small whatever the request holds. */
const MAX_KEYS_NAMED = 5;

/** The first zod issue as a 400 that names the field; its size is bounded (keys and path clipped). */
export function schemaError(error: z.ZodError, body = 'body'): RequestError {
  const issue = error.issues[0]!;
  const field = clip(issue.path.map(String).join('.'), 200);
  let what: string;
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.slice(0, MAX_KEYS_NAMED).map((k) => `"${clip(k)}"`).join(', ');
    const more = issue.keys.length > MAX_KEYS_NAMED ? ` and ${issue.keys.length - MAX_KEYS_NAMED} more` : '';
    what = `unknown field${issue.keys.length > 1 ? 's' : ''} ${named}${more}`;
  }
  else if (issue.code === 'invalid_type' && issue.input === undefined) what = `is required (expected ${issue.expected})`;
  else what = clip(issue.message, 300);
  return badRequest(field ? `field "${field}": ${what}` : `${body}: ${what}`, field ? { field } : {});
}
