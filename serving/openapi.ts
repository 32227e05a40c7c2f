/**
 * `GET /openapi.json`: an OpenAPI 3.1 document whose schemas are generated (z.toJSONSchema) from the
 * zod schemas in schemas.ts, the same ones that validate requests.
 */
import { z } from 'zod';
import {
  errorSchema,
  modelInfoSchema,
  modelListSchema,
  v1RequestSchema,
  v1ResponseSchema,
  v2InputSchema,
  v2ModelMetadataSchema,
  v2OutputSchema,
  v2RequestSchema,
  v2ResponseSchema,
  v2ServerMetadataSchema,
} from './schemas.ts';

const COMPONENTS: [string, z.ZodType][] = [
  ['V1PredictRequest', v1RequestSchema],
  ['V1PredictResponse', v1ResponseSchema],
  ['V2InputTensor', v2InputSchema],
  ['V2InferenceRequest', v2RequestSchema],
  ['V2OutputTensor', v2OutputSchema],
  ['V2InferenceResponse', v2ResponseSchema],
  ['V2ModelMetadata', v2ModelMetadataSchema],
  ['V2ServerMetadata', v2ServerMetadataSchema],
  ['ModelInfo', modelInfoSchema],
  ['ModelList', modelListSchema],
  ['Error', errorSchema],
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description:
          {
            400: 'Bad request: malformed JSON or CSV, a missing, unknown or mistyped feature, a bad value (names the row and feature)',
            404: 'Unknown model or version',
            413: 'Body over the byte limit, or more rows than the row limit',
            415: 'Unsupported content type',
            429: 'Too many requests in flight (Retry-After)',
            503: 'Model not available (still loading, or refused: its digest or content did not verify)',
          }[code] ?? 'Error',
        content: json('Error'),
      },
    ]),
  );

const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'Model name, as in models.lock.json' };
const version = { name: 'version', in: 'path', required: true, schema: { type: 'string' }, description: 'Model version (12 hex digits)' };
const probabilities = {
  name: 'probabilities',
  in: 'query',
  required: false,
  schema: { type: 'string', enum: ['true', 'false', '1', '0'] },
  description: 'Also return class probabilities (classification)',
};

export function buildOpenApi(serverVersion: string): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of COMPONENTS) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, s]) => [id, Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$schema' && k !== '$id' && k !== 'id'))]));

  const v1Predict = {
    summary: 'Predict (JSON rows or CSV)',
    description:
      'JSON: `{"instances": [...]}` → `{"predictions": [...]}`; with probabilities also `classes` and `probabilities` (one row per instance). ' +
      'CSV (`text/csv`, header row of feature names) → CSV with a `prediction` column (and `probability_<class>` columns).',
    parameters: [probabilities],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: ref('V1PredictRequest') }, 'text/csv': { schema: { type: 'string' } } },
    },
    responses: {
      200: { description: 'Predictions', content: { ...json('V1PredictResponse'), 'text/csv': { schema: { type: 'string' } } } },
      ...errors(400, 404, 413, 415, 429, 503),
    },
  };
  const v2Infer = {
    summary: 'Inference (Open Inference Protocol v2)',
    parameters: [probabilities],
    requestBody: { required: true, content: json('V2InferenceRequest') },
    responses: { 200: { description: 'Outputs', content: json('V2InferenceResponse') }, ...errors(400, 404, 413, 415, 429, 503) },
  };
  const metadata = { summary: 'Model metadata', responses: { 200: { description: 'Metadata', content: json('V2ModelMetadata') }, ...errors(404, 503) } };
  const modelReady = { summary: 'Model readiness', responses: { 200: { description: 'Ready' }, ...errors(404, 503) } };

  return {
    openapi: '3.1.0',
    info: { title: 'mlship serving', version: serverVersion, description: 'Predictions from the model versions pinned in models.lock.json.' },
    paths: {
      '/v2/health/live': { get: { summary: 'Liveness', responses: { 200: { description: 'Live' } } } },
      '/v2/health/ready': { get: { summary: 'Readiness: every pinned model verified and loaded, not draining', responses: { 200: { description: 'Ready' }, ...errors(503) } } },
      '/v2': { get: { summary: 'Server metadata', responses: { 200: { description: 'Metadata', content: json('V2ServerMetadata') } } } },
      '/v2/models/{name}': { get: { ...metadata, parameters: [name] } },
      '/v2/models/{name}/versions/{version}': { get: { ...metadata, parameters: [name, version] } },
      '/v2/models/{name}/ready': { get: { ...modelReady, parameters: [name] } },
      '/v2/models/{name}/versions/{version}/ready': { get: { ...modelReady, parameters: [name, version] } },
      '/v2/models/{name}/infer': { post: { ...v2Infer, parameters: [name, probabilities] } },
      '/v2/models/{name}/versions/{version}/infer': { post: { ...v2Infer, parameters: [name, version, probabilities] } },
      '/v1/models': { get: { summary: 'Pinned models with version, metrics and lineage', responses: { 200: { description: 'Models', content: json('ModelList') } } } },
      '/v1/models/{name}': { get: { summary: 'One pinned model', parameters: [name], responses: { 200: { description: 'Model', content: json('ModelInfo') }, ...errors(404) } } },
      '/v1/models/{name}:predict': { post: { ...v1Predict, parameters: [name, probabilities] } },
      '/v1/models/{name}/versions/{version}:predict': { post: { ...v1Predict, parameters: [name, version, probabilities] } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/': { get: { summary: 'Web page: served models and a form to try a prediction', responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    },
    components: { schemas },
  };
}
