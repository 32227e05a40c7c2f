/** Running a served model on encoded rows, and whether probabilities were asked for (shared by v1 and v2). */
import type { ServingContext } from './context.ts';
import { badRequest, clip, RequestError } from './errors.ts';
import type { EncodedRows } from './inputs.ts';
import type { ServedModel } from './model.ts';

export interface Prediction {
  /** Class index per row (classification). */
  labels: Int32Array | undefined;
  /** Row-major `rows × classes` (classification, when asked). */
  probabilities: Float64Array | undefined;
  /** Value per row (regression). */
  values: Float64Array | undefined;
}

export function predict(model: ServedModel, encoded: EncodedRows, probabilities: boolean): Prediction {
  const p = model.predictor;
  if (p.task === 'classification') {
    return { labels: p.classify(encoded.x, encoded.rows), probabilities: probabilities ? p.probabilities(encoded.x, encoded.rows) : undefined, values: undefined };
  }
  return { labels: undefined, probabilities: undefined, values: p.regress(encoded.x, encoded.rows) };
}

/** Class names for predicted class indexes. */
export function classNames(model: ServedModel, labels: Int32Array): string[] {
  const classes = model.predictor.classes;
  const out = new Array<string>(labels.length);
  for (let r = 0; r < labels.length; r++) out[r] = classes[labels[r]!]!;
  return out;
}

/**
 * A regression model has no class probabilities: asking for them is a 400. Asked of a
 * classification model, `rows` × classes must fit `maxOutputCells`, or a 413 says so.
 */
export function checkProbabilities(model: ServedModel, wanted: boolean, rows: number, maxOutputCells: number): void {
  if (!wanted) return;
  if (model.predictor.task !== 'classification') {
    throw badRequest(`model "${model.name}" is a regression model: it has no class probabilities`);
  }
  const classes = model.predictor.classes.length;
  if (rows * classes > maxOutputCells) {
    throw new RequestError(
      413,
      `too many probabilities for one answer: ${rows} rows × ${classes} classes = ${rows * classes} (the limit is ${maxOutputCells}); send at most ${Math.max(1, Math.floor(maxOutputCells / classes))} rows per request with probabilities`,
      { rows, classes, limit: maxOutputCells },
    );
  }
}

/** What `?probabilities=` takes (openapi.ts documents the same list). */
export const PROBABILITIES_QUERY_VALUES: readonly string[] = ['true', 'false', '1', '0'];

/** `?probabilities=true|false|1|0`; absent is false. */
export function queryProbabilities(c: ServingContext): boolean {
  if (!c.req.url.includes('?')) return false; // most requests: no query to parse
  const raw = c.req.query('probabilities');
  if (raw === undefined) return false;
  if (!PROBABILITIES_QUERY_VALUES.includes(raw)) throw badRequest(`query "probabilities" must be true or false, got "${clip(raw)}"`, { field: 'probabilities' });
  return raw === 'true' || raw === '1';
}
