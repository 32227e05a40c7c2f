/**
 * Checks a request (path and query parameters, JSON body) and, in the fake's own tests, a
 * response against the operation's schemas. Validators are compiled on first use per operation
 * and kept: compiling all 1,200 operations up front would cost seconds per test file.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { OpenApiDescription, Operation } from './openapi-description.ts';
import { componentsSchema, formatsUsed, toJsonSchema } from './openapi-schema.ts';

export interface SchemaViolation {
  /** where in the value, e.g. `/body` or `/per_page` ('' for the value itself) */
  path: string;
  /** the property that is missing, for a `required` failure */
  missing?: string;
  message: string;
  value: unknown;
}

export class OperationValidator {
  /** Parameters arrive as strings: this one coerces them to the schema's types and fills defaults. */
  readonly #params: Ajv;
  /** Bodies are JSON already: no coercion, or `"1"` would pass for 1. Defaults are filled. */
  readonly #bodies: Ajv;
  /**
   * Responses: as bodies, except that an empty string passes for a `uri`, because GitHub
   * itself answers `""` for unset URLs its description types as `format: uri` (deployment
   * statuses' target_url, log_url, environment_url). Made on first use: only the fake's own tests check responses.
   */
  #responses: Ajv | undefined;
  readonly #make: (options: { coerce: boolean; emptyUri: boolean }) => Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(description: OpenApiDescription) {
    const components = componentsSchema(description.schemas);
    const formats = formatsUsed([description.schemas, ...description.operations.map((o) => [o.parameters, o.requestBody])]);
    this.#make = ({ coerce, emptyUri }) => {
      // strict off: GitHub's description puts `default` inside anyOf branches and such, which
      // strict mode rejects although they are harmless.
      const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce, useDefaults: true, validateFormats: true });
      ajvFormats.default(ajv); // module.exports of a CommonJS plugin whose .default is itself
      // formats such as `repo.nwo` or `int64` are names, not checks, for Ajv
      for (const format of formats) if (!ajv.formats[format]) ajv.addFormat(format, true);
      const uri = ajv.formats.uri;
      if (emptyUri && uri instanceof RegExp) ajv.addFormat('uri', (value: string) => value === '' || uri.test(value));
      else if (emptyUri && typeof uri === 'function') ajv.addFormat('uri', (value: string) => value === '' || uri(value) === true);
      ajv.addSchema(components as object);
      return ajv;
    };
    this.#params = this.#make({ coerce: true, emptyUri: false });
    this.#bodies = this.#make({ coerce: false, emptyUri: false });
  }

  /** Coerces and defaults `values` (path and query parameters) in place; returns what does not fit. */
  parameters(operation: Operation, values: Record<string, unknown>): SchemaViolation[] {
    const validate = this.#compile(this.#params, `${operation.operationId} parameters`, () => {
      const params = operation.parameters.filter((p) => p.in === 'path' || p.in === 'query');
      return {
        type: 'object',
        properties: Object.fromEntries(params.map((p) => [p.name, toJsonSchema(p.schema ?? {})])),
        required: params.filter((p) => p.required || p.in === 'path').map((p) => p.name),
      };
    });
    return violations(validate, values);
  }

  body(operation: Operation, body: unknown): SchemaViolation[] {
    const schema = operation.requestBody?.schema;
    if (schema === undefined) return [];
    return violations(this.#compile(this.#bodies, `${operation.operationId} body`, () => toJsonSchema(schema)), body);
  }

  /** What in a response body does not fit its documented schema (none when none is documented). */
  response(operation: Operation, status: number, body: unknown): SchemaViolation[] {
    const schema = operation.responseSchemas.get(String(status));
    if (schema === undefined) return [];
    this.#responses ??= this.#make({ coerce: false, emptyUri: true });
    return violations(this.#compile(this.#responses, `${operation.operationId} ${status}`, () => toJsonSchema(schema)), body);
  }

  #compile(ajv: Ajv, key: string, schema: () => unknown): ValidateFunction {
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = ajv.compile(schema() as object);
      this.#cache.set(key, validate);
    }
    return validate;
  }
}

function violations(validate: ValidateFunction, value: unknown): SchemaViolation[] {
  if (validate(value)) return [];
  return dropBranchNoise(validate.errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? String((e.params as { missingProperty: string }).missingProperty) : undefined;
    return {
      path: e.instancePath,
      ...(missing === undefined ? {} : { missing }),
      message: e.message ?? e.keyword,
      value: valueAt(value, e.instancePath),
    };
  });
}

/**
 * anyOf failures also report each branch's own failure; keep the anyOf line alone when there are
 * branch errors below it, so a 422 names the field instead of listing every alternative.
 */
function dropBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors.filter((e) => e.keyword === 'anyOf' || !anyOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)));
}

function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}
