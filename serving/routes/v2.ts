/**
 * Open Inference Protocol (KServe v2): health, server and model metadata, model readiness and
 * `POST /v2/models/{name}[/versions/{v}]/infer`.
 */
import { Hono } from 'hono';
import { parseJson, readBody } from '../body.ts';
import type { Env, RequestInfo, ServingContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { EncodedRows } from '../inputs.ts';
import { encodeV2Inputs, tooManyRows, v2Rows } from '../inputs.ts';
import type { ServedModel } from '../model.ts';
import { OUTPUT_PREDICTIONS, OUTPUT_PROBABILITIES } from '../model.ts';
import { bodyKind } from '../negotiation.ts';
import type { Prediction } from '../prediction.ts';
import { checkProbabilities, classNames, predict, queryProbabilities } from '../prediction.ts';
import { checkV2Counts, isPlainV2 } from '../plain-bodies.ts';
import { v2ViaSchema } from '../schema-fallback.ts';
import type { V2Envelope } from '../schemas.ts';
import { readSingleRowV2 } from '../single-row-v2.ts';
import { notReadyReason } from '../state.ts';
import type { RouteDeps } from './deps.ts';
import { lookup } from './lookup.ts';

export const SERVER_NAME = 'mlship';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** What an infer request asks for. */
interface InferRequest {
  encoded: EncodedRows;
  id: string | undefined;
  /** The predictions output (unless `outputs` leaves it out). */
  predictions: boolean;
  /** Class probabilities asked for (query, parameters or `outputs`). */
  probabilities: boolean;
}

/** `{"model_name":…,"model_version":…` of each model's answers, written once. */
const answerHeads = new WeakMap<ServedModel, string>();

/**
 * The infer answer as the text `c.json` wrote for the object `{model_name, model_version, id?,
 * outputs}` (JSON.stringify composes: each part stringified alone is the same text; tests compare),
 * without JSON.stringify walking the object and its keys on every request (single row: 0.34 µs
 * with Buffer.byteLength, 0.16 µs so).
 */
function inferAnswer(model: ServedModel, request: InferRequest, out: Prediction): string {
  let head = answerHeads.get(model);
  if (head === undefined) answerHeads.set(model, (head = `{"model_name":${JSON.stringify(model.name)},"model_version":${JSON.stringify(model.version)}`));
  const rows = request.encoded.rows;
  let outputs = '';
  if (request.predictions) {
    outputs = out.labels
      ? `{"name":"${OUTPUT_PREDICTIONS}","datatype":"BYTES","shape":[${rows}],"data":${JSON.stringify(classNames(model, out.labels))}}`
      : `{"name":"${OUTPUT_PREDICTIONS}","datatype":"FP64","shape":[${rows}],"data":${JSON.stringify(Array.from(out.values!))}}`;
  }
  if (out.probabilities) {
    const k = model.predictor.classes.length;
    outputs += `${outputs ? ',' : ''}{"name":"${OUTPUT_PROBABILITIES}","datatype":"FP64","shape":[${rows},${k}],"data":${JSON.stringify(Array.from(out.probabilities))}}`;
  }
  const id = request.id !== undefined ? `,"id":${JSON.stringify(request.id)}` : '';
  return `${head}${id},"outputs":[${outputs}]}`;
}

export function v2Routes(deps: RouteDeps): Hono<Env> {
  const { state, limits, metrics, admit, budget } = deps;
  const app = new Hono<Env>();

  app.get('/v2/health/live', (c) => {
    c.env.info.route = 'health';
    return c.json({ live: true });
  });

  app.get('/v2/health/ready', (c) => {
    c.env.info.route = 'health';
    const reason = notReadyReason(state);
    return reason === undefined ? c.json({ ready: true }) : c.json({ ready: false, error: reason }, 503);
  });

  app.get('/v2', (c) => {
    c.env.info.route = 'metadata';
    return c.json({ name: SERVER_NAME, version: deps.version, extensions: [] });
  });

  const metadata = (c: ServingContext, version?: string) => {
    c.env.info.route = 'metadata';
    return c.json(lookup(state, c, c.req.param('name')!, version).metadata);
  };
  app.get('/v2/models/:name', (c) => metadata(c));
  app.get('/v2/models/:name/versions/:version', (c) => metadata(c, c.req.param('version')));

  const modelReady = (c: ServingContext, version?: string) => {
    c.env.info.route = 'health';
    const model = lookup(state, c, c.req.param('name')!, version);
    if (state.draining) return c.json({ name: model.name, ready: false, error: 'the server is draining (shutting down)' }, 503);
    return c.json({ name: model.name, ready: true });
  };
  app.get('/v2/models/:name/ready', (c) => modelReady(c));
  app.get('/v2/models/:name/versions/:version/ready', (c) => modelReady(c, c.req.param('version')));

  /**
   * An infer body: the rows, encoded, and what the answer holds. The common single-row form is read
   * without JSON.parse (single-row-v2.ts); the checks after it are the general path's, in its order.
   */
  const readInfer = async (model: ServedModel, text: string, queryProbs: boolean, info: RequestInfo): Promise<InferRequest> => {
    const single = readSingleRowV2(model, text);
    if (single) {
      if (single.rows > limits.maxRows) throw tooManyRows(single.rows, limits.maxRows);
      info.rows = single.rows;
      checkProbabilities(model, queryProbs, single.rows, limits.maxOutputCells);
      return { encoded: single, id: undefined, predictions: true, probabilities: queryProbs };
    }
    const body = parseJson(text);
    let request: V2Envelope;
    if (isPlainV2(body)) request = body;
    else {
      // One tensor per feature, or one for them all: more cannot be right, and the schema's work stays bounded.
      checkV2Counts(body, Math.max(1, model.featureNames.length));
      request = await v2ViaSchema(body);
    }
    const rows = v2Rows(request.inputs);
    if (rows > limits.maxRows) throw tooManyRows(rows, limits.maxRows);
    info.rows = rows;
    const requested = request.outputs?.map((o) => o.name);
    if (requested && new Set(requested).size !== requested.length) throw badRequest('field "outputs": an output is listed twice', { field: 'outputs' });
    const probabilities = queryProbs || request.parameters?.probabilities === true || (requested?.includes(OUTPUT_PROBABILITIES) ?? false);
    checkProbabilities(model, probabilities, rows, limits.maxOutputCells);
    const predictions = !requested || requested.includes(OUTPUT_PREDICTIONS);
    return { encoded: encodeV2Inputs(model, request.inputs), id: request.id, predictions, probabilities };
  };

  const infer = async (c: ServingContext, version: string | undefined) => {
    const info = c.env.info;
    info.route = 'v2_infer';
    const model = lookup(state, c, c.req.param('name')!, version);
    bodyKind(c, false);
    const queryProbs = queryProbabilities(c);
    // The slot is taken once the body is here: a slow upload holds none (body.ts bounds its time).
    const text = await readBody(c, limits.maxBodyBytes, budget);
    admit();
    try {
      const request = await readInfer(model, text, queryProbs, info);
      const out = predict(model, request.encoded, request.probabilities);
      return c.body(inferAnswer(model, request, out), 200, JSON_HEADERS);
    } finally {
      metrics.inflight--;
    }
  };
  app.post('/v2/models/:name/infer', (c) => infer(c, undefined));
  app.post('/v2/models/:name/versions/:version/infer', (c) => infer(c, c.req.param('version')));

  return app;
}
