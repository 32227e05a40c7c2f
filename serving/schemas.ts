/**
 * The request and response schemas (zod): they validate requests and `GET /openapi.json` is
 * generated from them, so the documentation cannot drift from what the server accepts.
 *
 * Batches can hold 100,000 rows, so the per-value part is checked by the model's encoder rather
 * than zod: the runtime schemas (`*Envelope`) are the documented ones with the row/tensor
 * contents replaced by `unknown[]` (derived with `.extend`, never written twice), and the encoder
 * then checks each value against its feature's type, which is stricter than the documented union.
 */
import { z } from 'zod';
import { badRequest } from './errors.ts';
import type { RequestError } from './errors.ts';

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

/**
 * A fast pre-check for the common case, which accepts only bodies `v1EnvelopeSchema` accepts too
 * (a subset: `{"instances": [...non-empty]}` and optionally `"parameters": {"probabilities": bool}`).
 * Anything else goes through the schema, which decides and words the error. The fuzz test checks
 * the subset property on every generated body.
 */
export function isPlainV1(body: unknown): body is V1Envelope {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  let keys = 0;
  for (const k in body) {
    if (k !== 'instances' && k !== 'parameters') return false;
    keys++;
  }
  const { instances, parameters } = body as Record<string, unknown>;
  if (!Array.isArray(instances) || instances.length === 0) return false;
  if (keys === 1) return true;
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) return false;
  for (const k in parameters) if (k !== 'probabilities') return false;
  const p = (parameters as { probabilities?: unknown }).probabilities;
  return p === undefined || typeof p === 'boolean';
}

export const v1ResponseSchema = z
  .strictObject({
    predictions: z.array(z.union([z.string(), z.number()])).meta({ description: 'Class names (classification) or values (regression), one per instance.' }),
    classes: z.array(z.string()).optional().meta({ description: 'With probabilities: the class order of each probabilities row.' }),
    probabilities: z.array(z.array(z.number())).optional().meta({ description: 'With probabilities: one row per instance, in `classes` order.' }),
  })
  ;

export const V2_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
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

export const probabilitiesQuerySchema = z.enum(['true', 'false', '1', '0']).optional();

/** The first zod issue as a 400 that names the field. */
export function schemaError(error: z.ZodError, body = 'body'): RequestError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.');
  let what: string;
  if (issue.code === 'unrecognized_keys') what = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k.slice(0, 60)}"`).join(', ')}`;
  else if (issue.code === 'invalid_type' && issue.input === undefined) what = `is required (expected ${issue.expected})`;
  else what = issue.message;
  return badRequest(field ? `field "${field}": ${what}` : `${body}: ${what}`, field ? { field } : {});
}
