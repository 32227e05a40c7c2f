/**
 * GitHub's own REST description (@octokit/openapi, api.github.com), read once per process and
 * indexed by operation, so the fake can only ever answer routes GitHub really has.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete' | 'head';

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
  'x-multi-segment'?: boolean;
}

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** e.g. `/repos/{owner}/{repo}/contents/{path}` */
  template: string;
  parameters: OpenApiParameter[];
  /** The JSON request body's schema, when the operation takes one. */
  requestBody?: { required: boolean; schema: unknown };
  /** status code → JSON response schema (absent for responses without a JSON body) */
  responseSchemas: Map<string, unknown>;
  documentationUrl: string;
}

export interface OpenApiDescription {
  operations: Operation[];
  /** components.schemas, still in OpenAPI 3.0 form */
  schemas: Record<string, unknown>;
}

interface RawOperation {
  operationId: string;
  parameters?: ({ $ref: string } | OpenApiParameter)[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, RawResponse | { $ref: string }>;
  externalDocs?: { url?: string };
}
interface RawResponse {
  content?: Record<string, { schema?: unknown }>;
}
interface RawDescription {
  paths: Record<string, Partial<Record<HttpMethod, RawOperation>>>;
  components: {
    schemas: Record<string, unknown>;
    parameters: Record<string, OpenApiParameter>;
    responses: Record<string, RawResponse>;
  };
}

const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'patch', 'delete', 'head'];
const require = createRequire(import.meta.url);
let description: OpenApiDescription | undefined;

/** The description, parsed on first use (13 MB of JSON: once per test process is enough). */
export function githubDescription(): OpenApiDescription {
  description ??= index(JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as RawDescription);
  return description;
}

function index(raw: RawDescription): OpenApiDescription {
  const lastPart = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(raw.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = (op.parameters ?? []).map((p) => {
        if (!('$ref' in p)) return p;
        const resolved = raw.components.parameters[lastPart(p.$ref)];
        if (!resolved) throw new Error(`${op.operationId}: unknown parameter ${p.$ref}`);
        return resolved;
      });
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const responseSchemas = new Map<string, unknown>();
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const resolved = '$ref' in response ? raw.components.responses[lastPart(response.$ref)] : response;
        responseSchemas.set(status, resolved?.content?.['application/json']?.schema);
      }
      operations.push({
        operationId: op.operationId,
        method,
        template,
        parameters,
        ...(bodySchema === undefined ? {} : { requestBody: { required: op.requestBody?.required ?? false, schema: bodySchema } }),
        responseSchemas,
        documentationUrl: op.externalDocs?.url ?? 'https://docs.github.com/rest',
      });
    }
  }
  return { operations, schemas: raw.components.schemas };
}
