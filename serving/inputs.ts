/**
 * Request rows → the encoded row-major matrix the predictor reads. Every value goes through
 * training's `encodeValue` (the one function that encodes a feature value); this module only finds
 * each value in the request and says where a bad one is (row index from 0, feature name).
 *
 * Missing values: a feature given as `null` is imputed by the encoding (the training median for
 * numbers, the majority for booleans, "no known category" for categories). A feature that is
 * absent (no key in an instance object, no tensor in a v2 request, no column in a CSV) is a 400
 * naming it: leaving a feature out is far more often a typo than a request to impute.
 */
import type { RawValue } from '../training/table.ts';
import type { FeatureEncoding } from '../training/encoding.ts';
import { EncodingError, encodeValue } from '../training/encoding.ts';
import { badRequest, cellError, clip, RequestError } from './errors.ts';
import type { ServedModel } from './model.ts';
import { featureDatatype } from './model.ts';

export interface EncodedRows {
  x: Float64Array;
  rows: number;
}

/** What a feature accepts, for messages. */
export function expectation(f: FeatureEncoding): string {
  return f.type === 'number' ? 'a number or null' : f.type === 'boolean' ? 'true, false or null' : 'a string (category) or null';
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : typeof v;
}

/** Encodes one JSON value of feature `i` into row `r`, or throws a 400 naming the row and feature. */
export function encodeJsonValue(model: ServedModel, i: number, r: number, v: unknown, x: Float64Array, base: number): void {
  if (v !== null && typeof v === 'object') {
    const f = model.features[i]!;
    throw cellError(r, f.name, `expected ${expectation(f)}, got ${kindOf(v)}`);
  }
  try {
    encodeValue(model.predictor.encoding, i, v as RawValue, x, base);
  } catch (err) {
    if (err instanceof EncodingError) throw cellError(r, model.features[i]!.name, err.message);
    throw err;
  }
}

/**
 * v1 `instances`: each an object keyed by feature name (every feature, no others) or an array of
 * values in the model's feature order.
 */
export function encodeInstances(model: ServedModel, instances: readonly unknown[]): EncodedRows {
  const names = model.featureNames;
  const n = names.length;
  const width = model.predictor.width;
  const rows = instances.length;
  const x = new Float64Array(rows * width);
  for (let r = 0, base = 0; r < rows; r++, base += width) {
    const instance = instances[r];
    if (Array.isArray(instance)) {
      if (instance.length !== n) {
        throw badRequest(`row ${r}: has ${instance.length} values but model "${model.name}" has ${n} features, in this order: ${names.join(', ')}`, { row: r });
      }
      for (let i = 0; i < n; i++) encodeJsonValue(model, i, r, instance[i], x, base);
    } else if (instance !== null && typeof instance === 'object') {
      const obj = instance as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const name = names[i]!;
        const v = obj[name];
        if (v === undefined || (typeof v === 'function' && !Object.hasOwn(obj, name))) {
          throw cellError(r, name, 'missing (send null to have the model impute it)');
        }
        encodeJsonValue(model, i, r, v, x, base);
      }
      let keys = 0;
      for (const _ in obj) keys++;
      if (keys !== n) {
        const extra = Object.keys(obj).find((k) => !model.featureIndex.has(k));
        if (extra !== undefined) {
          throw badRequest(`row ${r}: "${clip(extra)}" is not a feature of model "${model.name}" (its features: ${names.join(', ')})`, { row: r, feature: clip(extra, 200) });
        }
      }
    } else {
      throw badRequest(`row ${r}: expected an object keyed by feature name or an array of ${n} values, got ${kindOf(instance)}`, { row: r });
    }
  }
  return { x, rows };
}

/** A v2 input tensor as validated by the envelope schema. */
export interface V2Input {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

const NUMERIC = new Set(['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

function accepts(f: FeatureEncoding, datatype: string): boolean {
  return f.type === 'number' ? NUMERIC.has(datatype) : f.type === 'boolean' ? datatype === 'BOOL' : datatype === 'BYTES';
}

/** Row count of a v2 request, from its shapes, before anything is decoded (for the row limit). */
export function v2Rows(inputs: readonly V2Input[]): number {
  let rows = 0;
  for (const input of inputs) rows = Math.max(rows, input.shape[0] ?? 0);
  return rows;
}

/** Tensor data as one flat row-major list: accepts flat data or rows nested one level. */
function flatData(input: V2Input, columns: number, where: string): unknown[] {
  const rows = input.shape[0]!;
  const { data } = input;
  if (data.length === rows * columns && !data.some(Array.isArray)) return data;
  if (data.length === rows && columns >= 1 && data.every((row) => Array.isArray(row) && row.length === columns && !row.some(Array.isArray))) {
    return (data as unknown[][]).flat();
  }
  throw badRequest(`${where}: data must hold shape [${input.shape.join(', ')}] = ${rows * columns} values (flat, row-major, or one array per row)`, {
    input: clip(input.name, 200),
  });
}

/**
 * v2 `inputs`: one tensor per feature (name = feature name, shape [rows] or [rows, 1], datatype
 * FP64/FP32/INT* for numbers, BOOL for booleans, BYTES for categories), or, for a model whose
 * features are all numbers, one `[rows, features]` numeric tensor (any name) in feature order.
 */
export function encodeV2Inputs(model: ServedModel, inputs: readonly V2Input[]): EncodedRows {
  const n = model.featureNames.length;
  const width = model.predictor.width;
  if (inputs.length === 1 && !model.featureIndex.has(inputs[0]!.name)) {
    const input = inputs[0]!;
    const where = `input "${clip(input.name)}"`;
    if (!(input.shape.length === 2 && input.shape[1] === n)) {
      throw badRequest(
        `${where} is not a feature of model "${model.name}": send one tensor per feature (${model.featureNames.join(', ')}) or one tensor of shape [rows, ${n}]`,
        { input: clip(input.name, 200) },
      );
    }
    if (!model.allNumeric) {
      const other = model.features.find((f) => f.type !== 'number')!;
      throw badRequest(`${where}: model "${model.name}" has a ${other.type} feature ("${other.name}"), so it needs one tensor per feature`, { input: clip(input.name, 200) });
    }
    if (!NUMERIC.has(input.datatype)) throw badRequest(`${where}: datatype ${input.datatype} cannot carry numbers; use FP64`, { input: clip(input.name, 200) });
    const rows = input.shape[0]!;
    if (rows === 0) throw badRequest(`${where}: no rows`, { input: clip(input.name, 200) });
    const data = flatData(input, n, where);
    const integer = input.datatype.includes('INT');
    const x = new Float64Array(rows * width);
    for (let r = 0, k = 0, base = 0; r < rows; r++, base += width) {
      for (let i = 0; i < n; i++, k++) {
        const v = data[k];
        if (integer && typeof v === 'number' && !Number.isInteger(v)) throw cellError(r, model.featureNames[i]!, `${v} is not an integer (datatype ${input.datatype})`);
        encodeJsonValue(model, i, r, v, x, base);
      }
    }
    return { x, rows };
  }

  const byFeature = new Array<V2Input | undefined>(n);
  for (const input of inputs) {
    const i = model.featureIndex.get(input.name);
    if (i === undefined) {
      throw badRequest(`input "${clip(input.name)}" is not a feature of model "${model.name}" (its features: ${model.featureNames.join(', ')})`, { input: clip(input.name, 200) });
    }
    if (byFeature[i]) throw badRequest(`input "${input.name}" is given twice`, { input: input.name });
    byFeature[i] = input;
  }
  let rows = -1;
  let rowsFrom = '';
  for (let i = 0; i < n; i++) {
    const f = model.features[i]!;
    const input = byFeature[i];
    if (!input) throw badRequest(`feature "${f.name}" is missing: send one input tensor per feature (send null values to have the model impute them)`, { feature: f.name });
    const where = `input "${f.name}"`;
    if (!(input.shape.length === 1 || (input.shape.length === 2 && input.shape[1] === 1))) {
      throw badRequest(`${where}: shape must be [rows] or [rows, 1], got [${input.shape.join(', ')}]`, { input: f.name, feature: f.name });
    }
    if (!accepts(f, input.datatype)) {
      throw badRequest(`${where}: datatype ${input.datatype} does not fit a ${f.type} feature; use ${featureDatatype(f)}`, { input: f.name, feature: f.name });
    }
    if (rows === -1) {
      rows = input.shape[0]!;
      rowsFrom = f.name;
    } else if (input.shape[0] !== rows) {
      throw badRequest(`${where}: has ${input.shape[0]} rows but input "${rowsFrom}" has ${rows}`, { input: f.name, feature: f.name });
    }
  }
  if (rows === 0) throw badRequest('no rows: the inputs have shape [0]');
  const x = new Float64Array(rows * width);
  for (let i = 0; i < n; i++) {
    const input = byFeature[i]!;
    const data = flatData(input, 1, `input "${input.name}"`);
    const integer = input.datatype.includes('INT');
    for (let r = 0, base = 0; r < rows; r++, base += width) {
      const v = data[r];
      if (integer && typeof v === 'number' && !Number.isInteger(v)) throw cellError(r, input.name, `${v} is not an integer (datatype ${input.datatype})`);
      encodeJsonValue(model, i, r, v, x, base);
    }
  }
  return { x, rows };
}

/** Thrown while counting rows, before the work: the request holds more rows than allowed. */
export function tooManyRows(rows: number, limit: number): RequestError {
  return new RequestError(413, `too many rows: ${rows} (the limit is ${limit} per request; split the batch)`, { rows, limit });
}
