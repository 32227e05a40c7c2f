/**
 * One valid prediction row for a served model, built from what the server says about it, so
 * the smoke test needs no example data: a number is 0, a boolean false, a category the first one
 * the model knows (a real value rather than null, so the encoding of a seen category is exercised).
 * Only the served metadata decides the row: a row the model refuses is the server's fault.
 */

/** An input tensor of `GET /v2/models/{name}`. */
export interface InputTensor {
  name: string;
  datatype: string;
}

/** A feature of `GET /v1/models` (categories only for category features). */
export interface FeatureInfo {
  name: string;
  categories?: string[];
}

export type SampleValue = number | boolean | string | null;

export function sampleRow(inputs: readonly InputTensor[], features: readonly FeatureInfo[] = []): Record<string, SampleValue> {
  const categories = new Map(features.map((f) => [f.name, f.categories ?? []]));
  const row: Record<string, SampleValue> = {};
  for (const input of inputs) {
    if (input.datatype === 'BOOL') row[input.name] = false;
    else if (input.datatype === 'BYTES') row[input.name] = categories.get(input.name)?.[0] ?? null;
    else row[input.name] = 0;
  }
  return row;
}
