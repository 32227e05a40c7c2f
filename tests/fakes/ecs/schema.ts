/**
 * Request validation for the ECS fake, against the shapes @aws-sdk/client-ecs itself declares: its
 * smithy schema objects (`RegisterTaskDefinition$`, `ContainerDefinition$`, … exported by the
 * client) give every operation's input members, their types and which are required; its type
 * declarations (`dist-types/models/*.d.ts`) name the enum each member takes, and the enum objects
 * (`NetworkMode`, `DesiredStatus`, …) their values. Nothing here is written by hand, so a member
 * the SDK does not know, a missing required member, a wrong type or an unknown enum value is
 * refused as the service would refuse it.
 *
 * The schema tuples (@smithy/core's static schema format): a number is a simple type (0 string,
 * 1 number, 2 boolean, 4-7 timestamp, 15 document, 21 blob; `64 | x` a list of x, `128 | x` a map
 * of x); `[0, ns, name, traits, schema]` a simple type with traits; `[1, ns, name, traits, member]`
 * a list; `[2, ns, name, traits, key, value]` a map; `[3, ns, name, traits, memberNames,
 * memberSchemas, requiredCount?]` a structure whose first `requiredCount` members are required;
 * `[9, ns, name, traits, input, output]` an operation; `[schema, traits]` a member reference.
 */
import * as sdk from '@aws-sdk/client-ecs';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type SchemaRef = unknown;

const exported = sdk as unknown as Record<string, unknown>;

function deref(ref: SchemaRef): unknown {
  return typeof ref === 'function' ? (ref as () => unknown)() : ref;
}

/** Unwraps member references (`[schema, traits]`) and simple-with-traits schemas to the shape. */
function shapeOf(ref: SchemaRef): unknown {
  let s = deref(ref);
  for (;;) {
    if (Array.isArray(s) && s.length === 2) s = deref(s[0]);
    else if (Array.isArray(s) && s[0] === 0 && s.length >= 5) s = deref(s[4]);
    else return s;
  }
}

/** Structure name → member name → the enum's allowed values, read from the SDK's declarations. */
function enumMembers(): Map<string, Map<string, Set<string>>> {
  const require = createRequire(import.meta.url);
  const modelsDir = join(dirname(require.resolve('@aws-sdk/client-ecs/package.json')), 'dist-types', 'models');
  const source = readdirSync(modelsDir)
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => readFileSync(join(modelsDir, f), 'utf8'))
    .join('\n')
    .replace(/\/\*\*[\s\S]*?\*\//g, '');
  const enums = (name: string): Set<string> | undefined => {
    const value = exported[name];
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const values = Object.values(value);
    return values.length > 0 && values.every((v) => typeof v === 'string') ? new Set(values as string[]) : undefined;
  };
  const out = new Map<string, Map<string, Set<string>>>();
  for (const m of source.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
    const members = new Map<string, Set<string>>();
    for (const field of m[2]!.matchAll(/^\s*(\w+)\??: (\w+)(?:\[\])? \| undefined;/gm)) {
      const values = enums(field[2]!);
      if (values) members.set(field[1]!, values);
    }
    if (members.size > 0) out.set(m[1]!, members);
  }
  return out;
}

let enumCache: Map<string, Map<string, Set<string>>> | undefined;

export interface Refusal {
  /** `ClientException` for a member the API does not have, `InvalidParameterException` otherwise. */
  type: 'ClientException' | 'InvalidParameterException';
  message: string;
}

/** The input structure of `operation` as the SDK declares it, or undefined for an unknown one. */
export function inputSchema(operation: string): SchemaRef | undefined {
  const op = exported[`${operation}$`];
  if (!Array.isArray(op) || op[0] !== 9) return undefined;
  return op[4];
}

/** The members the SDK declares for a structure schema (`TaskDefinition$`, …). */
export function memberNames(structure: SchemaRef): string[] {
  const s = shapeOf(structure);
  if (!Array.isArray(s) || s[0] !== 3) throw new Error('not a structure schema');
  return [...(s[4] as string[])];
}

/**
 * Checks an answer of the fake against the operation's output shape: a member the SDK does not
 * declare, or a value of the wrong type, is a bug in the fake (the SDK would silently drop it).
 */
export function validateOutput(operation: string, output: unknown): Refusal | undefined {
  const op = exported[`${operation}$`];
  if (!Array.isArray(op) || op[0] !== 9) throw new Error(`no schema for ${operation}`);
  enumCache ??= enumMembers();
  return check(op[5], output, '', undefined);
}

/** Checks `input` against the operation's input shape; undefined when it is valid. */
export function validateInput(operation: string, input: unknown): Refusal | undefined {
  const schema = inputSchema(operation);
  if (schema === undefined) throw new Error(`no schema for ${operation}`);
  enumCache ??= enumMembers();
  return check(schema, input, '', undefined);
}

function check(ref: SchemaRef, value: unknown, path: string, allowed: Set<string> | undefined): Refusal | undefined {
  const where = path || 'input';
  const invalid = (what: string): Refusal => ({ type: 'InvalidParameterException', message: `Invalid parameter at '${where}': ${what}` });
  // JSON null is "not set" for every AWS JSON service (and JSON.stringify drops undefined)
  if (value === null || value === undefined) return undefined;
  const shape = shapeOf(ref);
  if (typeof shape === 'number') {
    if (shape & 64) return checkList(shape & 63, value, path, allowed);
    if (shape & 128) return checkMap(shape & 63, value, path);
    switch (shape) {
      case 0:
        if (typeof value !== 'string') return invalid('must be a string');
        if (allowed && !allowed.has(value)) return invalid(`'${value}' is not one of ${[...allowed].join(', ')}`);
        return undefined;
      case 1:
        return typeof value === 'number' && Number.isFinite(value) ? undefined : invalid('must be a number');
      case 2:
        return typeof value === 'boolean' ? undefined : invalid('must be a boolean');
      case 4:
      case 5:
      case 6:
      case 7:
        return typeof value === 'number' && Number.isFinite(value) ? undefined : invalid('must be a timestamp (epoch seconds)');
      case 15:
        return undefined;
      case 21:
        return typeof value === 'string' ? undefined : invalid('must be base64 text');
      default:
        return invalid(`has an unsupported schema ${shape}`);
    }
  }
  if (!Array.isArray(shape)) return invalid('has no schema');
  switch (shape[0]) {
    case 1:
      return checkList(shape[4], value, path, allowed);
    case 2:
      return checkMap(shape[5], value, path);
    case 3:
    case 4:
      return checkStructure(shape, value, path);
    default:
      return invalid(`has an unsupported schema kind ${String(shape[0])}`);
  }
}

function checkList(member: SchemaRef, value: unknown, path: string, allowed: Set<string> | undefined): Refusal | undefined {
  if (!Array.isArray(value)) return { type: 'InvalidParameterException', message: `Invalid parameter at '${path}': must be a list` };
  for (const [i, item] of value.entries()) {
    const problem = check(member, item, `${path}[${i}]`, allowed);
    if (problem) return problem;
  }
  return undefined;
}

function checkMap(valueSchema: SchemaRef, value: unknown, path: string): Refusal | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { type: 'InvalidParameterException', message: `Invalid parameter at '${path}': must be a map` };
  for (const [k, v] of Object.entries(value)) {
    const problem = check(valueSchema, v, `${path}.${k}`, undefined);
    if (problem) return problem;
  }
  return undefined;
}

function checkStructure(shape: unknown[], value: unknown, path: string): Refusal | undefined {
  const name = shape[2] as string;
  const names = shape[4] as string[];
  const schemas = shape[5] as SchemaRef[];
  const required = (shape[6] as number | undefined) ?? 0;
  const at = (member: string) => (path ? `${path}.${member}` : member);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { type: 'InvalidParameterException', message: `Invalid parameter at '${path || 'input'}': must be a structure (${name})` };
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    return { type: 'ClientException', message: `Unknown parameter in ${path || 'input'}: "${unknown.join('", "')}", must be one of: ${names.join(', ')}` };
  }
  for (const member of names.slice(0, required)) {
    if (record[member] === undefined || record[member] === null) return { type: 'InvalidParameterException', message: `Missing required parameter in ${path || 'input'}: "${member}"` };
  }
  const enums = enumCache?.get(name);
  for (const [i, member] of names.entries()) {
    if (!(member in record)) continue;
    const problem = check(schemas[i], record[member], at(member), enums?.get(member));
    if (problem) return problem;
  }
  return undefined;
}
