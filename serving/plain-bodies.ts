/**
 * Fast checks for well-formed request bodies, without zod: each accepts only bodies its envelope
 * schema (schemas.ts) accepts too, so a body it refuses goes to the schema (schema-fallback.ts),
 * which decides and words the error. The fuzz test checks the subset property on every generated
 * body. A serving worker loads zod only when a body needs it (about 5 MB of RSS a worker).
 */
import { badRequest } from './errors.ts';
import type { V1Envelope, V2Envelope } from './schemas.ts';

export const V2_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;

/**
 * The common v1 body, a subset of what `v1EnvelopeSchema` accepts: `{"instances": [...non-empty]}`
 * and optionally `"parameters": {"probabilities": bool}`.
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

const DATATYPES: ReadonlySet<string> = new Set(V2_DATATYPES);
const OUTPUT_NAMES: ReadonlySet<string> = new Set(['predictions', 'probabilities']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isPlainV2Input(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  let keys = 0;
  for (const k in v) {
    if (k !== 'name' && k !== 'shape' && k !== 'datatype' && k !== 'data' && k !== 'parameters') return false;
    keys++;
  }
  const { name, shape, datatype, data, parameters } = v;
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) return false;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2) return false;
  for (const d of shape) if (!Number.isSafeInteger(d) || (d as number) < 0) return false;
  if (typeof datatype !== 'string' || !DATATYPES.has(datatype) || !Array.isArray(data)) return false;
  return parameters === undefined ? keys === 4 : isPlainObject(parameters);
}

/**
 * The v2 counterpart of `isPlainV1`: accepts only bodies `v2EnvelopeSchema` accepts too (the fuzz
 * test checks the subset property), in time that does not grow with the data (tensor data is the
 * encoder's to check). Anything else goes through `checkV2Counts`, then the schema, for the error.
 */
export function isPlainV2(body: unknown): body is V2Envelope {
  if (!isPlainObject(body)) return false;
  for (const k in body) if (k !== 'inputs' && k !== 'id' && k !== 'parameters' && k !== 'outputs') return false;
  const { inputs, id, parameters, outputs } = body;
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const input of inputs) if (!isPlainV2Input(input)) return false;
  if (id !== undefined && !(typeof id === 'string' && id.length <= 256)) return false;
  if (parameters !== undefined) {
    if (!isPlainObject(parameters)) return false;
    if (parameters.probabilities !== undefined && typeof parameters.probabilities !== 'boolean') return false;
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return false;
    for (const o of outputs) {
      if (!isPlainObject(o)) return false;
      for (const k in o) if (k !== 'name' && k !== 'parameters') return false;
      if (typeof o.name !== 'string' || !OUTPUT_NAMES.has(o.name)) return false;
      if (o.parameters !== undefined && !isPlainObject(o.parameters)) return false;
    }
  }
  return true;
}

/**
 * Counts checked before the schema walks a body it refuses, so that its work and its issues stay
 * bounded: zod collects every issue of every element (330,000 empty input objects, 990 KB, took
 * 5.6 s and 1 GB). A model takes at most one tensor per feature, two outputs, two shape dimensions.
 */
export function checkV2Counts(body: unknown, maxInputs: number): void {
  if (!isPlainObject(body)) return;
  const { inputs, outputs } = body;
  if (Array.isArray(inputs) && inputs.length > maxInputs) {
    throw badRequest(`field "inputs": ${inputs.length} tensors, but this model takes at most ${maxInputs} (one per feature)`, { field: 'inputs' });
  }
  if (Array.isArray(outputs) && outputs.length > OUTPUT_NAMES.size) {
    throw badRequest(`field "outputs": ${outputs.length} outputs listed; there are ${OUTPUT_NAMES.size} (predictions, probabilities)`, { field: 'outputs' });
  }
  if (!Array.isArray(inputs)) return;
  for (const [i, input] of inputs.entries()) {
    const shape = isPlainObject(input) ? input.shape : undefined;
    if (Array.isArray(shape) && shape.length > 2) throw badRequest(`field "inputs.${i}.shape": ${shape.length} dimensions; a tensor has 1 or 2`, { field: `inputs.${i}.shape` });
  }
}
