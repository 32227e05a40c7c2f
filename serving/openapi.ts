/**
 * `GET /openapi.json`: an OpenAPI 3.1 document whose schemas are generated (z.toJSONSchema) from the
 * zod schemas in schemas.ts and jobs/document.ts, the same ones that validate requests and shape
 * the job documents.
 */
import { z } from 'zod';
import { JOB_STATUSES, jobDocumentSchema, jobListSchema, jobSubmittedSchema, rowErrorSchema } from './jobs/document.ts';
import { PROBABILITIES_QUERY_VALUES } from './prediction.ts';
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
  ['RowError', rowErrorSchema],
  ['Job', jobDocumentSchema],
  ['JobSubmitted', jobSubmittedSchema],
  ['JobList', jobListSchema],
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
            401: 'The server has API keys and the request sent none of them (`Authorization: Bearer <key>`)',
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
  schema: { type: 'string', enum: [...PROBABILITIES_QUERY_VALUES] },
  description: 'Also return class probabilities (classification)',
};

const query = (n: string, schema: Record<string, unknown>, description: string) => ({ name: n, in: 'query', required: false, schema, description });
const jobId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' }, description: 'Job id (32 hex digits)' };
const jobSubmitParameters = [
  probabilities,
  query('onError', { type: 'string', enum: ['fail', 'skip'] }, '`fail` (default): a bad row fails the job; `skip`: it is left out and listed in `skipped`'),
  query('callback', { type: 'string', format: 'uri' }, 'An https URL that is POSTed the job document, signed (Mlship-Signature), when the job ends'),
];
const noJob = { description: 'No such job (or not the caller\'s)', content: json('Error') };
const jobsOff = { description: 'Batch jobs are off (no database), or the database is still starting (Retry-After)', content: json('Error') };

function jobPaths() {
  const submit = {
    summary: 'Submit a batch job: a CSV scored in the background',
    requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
    responses: {
      202: { description: 'Queued', headers: { Location: { schema: { type: 'string' }, description: 'The job: /v1/jobs/{id}' } }, content: json('JobSubmitted') },
      ...errors(400, 401, 404, 413, 415),
      503: jobsOff,
    },
  };
  return {
    '/v1/models/{name}/jobs': { post: { ...submit, parameters: [name, query('version', { type: 'string' }, 'Model version (default: the served one)'), ...jobSubmitParameters] } },
    '/v1/models/{name}/versions/{version}/jobs': { post: { ...submit, parameters: [name, version, ...jobSubmitParameters] } },
    '/v1/jobs': {
      get: {
        summary: "The caller's jobs, newest first",
        parameters: [
          query('model', { type: 'string' }, 'Only this model\'s jobs'),
          query('status', { type: 'string', enum: [...JOB_STATUSES] }, 'Only jobs in this state'),
          query('limit', { type: 'integer', minimum: 1, maximum: 100 }, 'Jobs per page (default 20)'),
          query('cursor', { type: 'string' }, 'The `next` of the previous page'),
        ],
        responses: { 200: { description: 'A page of jobs', content: json('JobList') }, ...errors(400, 401), 503: jobsOff },
      },
    },
    '/v1/jobs/{id}': {
      get: { summary: 'A job', parameters: [jobId], responses: { 200: { description: 'The job', content: json('Job') }, ...errors(401), 404: noJob, 503: jobsOff } },
      delete: {
        summary: 'Cancel a queued or running job',
        parameters: [jobId],
        responses: { 200: { description: 'Cancelled', content: json('Job') }, ...errors(401), 404: noJob, 409: { description: 'The job already ended', content: json('Error') }, 503: jobsOff },
      },
    },
    '/v1/jobs/{id}/results': {
      get: {
        summary: "A succeeded job's results (CSV, streamed)",
        parameters: [jobId],
        responses: {
          200: { description: 'Results', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errors(401),
          404: noJob,
          409: { description: 'The job has not succeeded (Retry-After while it is queued or running)', content: json('Error') },
          503: jobsOff,
        },
      },
    },
  };
}

const html = { 'text/html': { schema: { type: 'string' } } };

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
      '/': { get: { summary: 'Web page: served models and a form to try a prediction', responses: { 200: { description: 'HTML', content: html } } } },
      '/models/{name}': {
        get: {
          summary: "Web page of one model: its card, a form to try a prediction, its batch jobs",
          parameters: [name],
          responses: {
            200: { description: 'HTML', content: html },
            404: { description: 'No model of that name (HTML for a browser, else the JSON error)', content: { ...html, ...json('Error') } },
            503: { description: 'The model is not served (still loading, or refused)', content: { ...html, ...json('Error') } },
          },
        },
      },
      '/assets/{file}': {
        get: {
          summary: "The web page's script, stylesheet and icon, named by their content digest (cached for good)",
          parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' }, description: 'As the page links it, e.g. `page.<digest>.js`' }],
          responses: { 200: { description: 'The asset' }, 404: { description: 'No such asset' } },
        },
      },
      ...jobPaths(),
    },
    components: { schemas },
  };
}
