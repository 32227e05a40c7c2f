/**
 * OpenAPI 3.0 schemas → JSON Schema (draft-07) that Ajv compiles strictly. Only schema keywords
 * are kept (so `example`, `discriminator`, `x-github` … go), `nullable` becomes a `null` type,
 * and `$ref`s point into one shared components schema registered under COMPONENTS_ID.
 */
export const COMPONENTS_ID = 'https://api.github.com/fake/components.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: Json };

/** Keywords whose value is copied as it is. */
const PLAIN = new Set([
  'type', 'format', 'enum', 'const', 'required', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'default',
  'title', 'description', 'readOnly', 'writeOnly', 'deprecated',
]);
/** Keywords whose value is one schema. */
const ONE_SCHEMA = new Set(['items', 'not', 'additionalProperties']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP = new Set(['properties', 'patternProperties']);

export function toJsonSchema(schema: unknown): Json {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) return {};
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\/components\/schemas\//, `${COMPONENTS_ID}#/definitions/`);
    else if (PLAIN.has(key)) out[key] = value as Json;
    else if (ONE_SCHEMA.has(key)) out[key] = toJsonSchema(value);
    // oneOf → anyOf: GitHub's description has overlapping branches (a value matching two of
    // them is valid for GitHub), and exactly-one would turn those into false 422s.
    else if (SCHEMA_LIST.has(key) && Array.isArray(value)) out[key === 'oneOf' ? 'anyOf' : key] = value.map(toJsonSchema);
    else if (SCHEMA_MAP.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  // OpenAPI 3.0 has ajv-incompatible exclusiveMinimum: true (a flag on minimum).
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] && typeof out[bound] === 'number') out[flag] = out[bound];
      else delete out[flag];
      if (typeof out[flag] === 'number') delete out[bound];
    }
  }
  return schema.nullable === true ? allowNull(out) : out;
}

function allowNull(schema: SchemaObject): Json {
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** components.schemas as one JSON Schema document whose `definitions` the `$ref`s above reach. */
export function componentsSchema(schemas: Record<string, unknown>): Json {
  return {
    $id: COMPONENTS_ID,
    definitions: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, toJsonSchema(schema)])),
  };
}

/** Every `format` the description uses, so the validator can know each one by name. */
export function formatsUsed(schemas: Iterable<unknown>): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      if (typeof node.format === 'string') found.add(node.format);
      Object.values(node).forEach(walk);
    }
  };
  for (const schema of schemas) walk(schema);
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
