/**
 * TF Serving / KServe v1: `POST /v1/models/{name}[/versions/{v}]:predict` with JSON rows
 * (`{"instances": [...]}`) or a CSV body, and `GET /v1/models[/{name}]`.
 */
import { Hono } from 'hono';
import { parseJson, readBody } from '../body.ts';
import type { Env, ServingContext } from '../context.ts';
import { encodeCsv, formatCsv } from '../csv.ts';
import { clip, RequestError } from '../errors.ts';
import { encodeInstances, tooManyRows } from '../inputs.ts';
import { bodyKind } from '../negotiation.ts';
import { checkProbabilities, classNames, predict, queryProbabilities } from '../prediction.ts';
import { isPlainV1 } from '../plain-bodies.ts';
import { v1ViaSchema } from '../schema-fallback.ts';
import type { RouteDeps } from './deps.ts';
import { listModels, lookup, modelInfo } from './lookup.ts';

const CSV_HEADERS = { 'Content-Type': 'text/csv; charset=utf-8' };

/** `name:verb` or `version:verb`, the last path segment of a v1 route. */
function splitVerb(segment: string): string {
  const colon = segment.lastIndexOf(':');
  if (colon < 0) throw new RequestError(405, `POST needs the verb: …/${clip(segment)}:predict`, {}, { Allow: 'GET' });
  const verb = segment.slice(colon + 1);
  if (verb !== 'predict') throw new RequestError(404, `unsupported verb ":${clip(verb)}" (this server has :predict)`);
  return segment.slice(0, colon);
}

export function v1Routes(deps: RouteDeps): Hono<Env> {
  const { state, limits, metrics, admit, budget } = deps;
  const app = new Hono<Env>();

  const v1Predict = async (c: ServingContext, name: string, version: string | undefined) => {
    const info = c.env.info;
    info.route = 'v1_predict';
    const model = lookup(state, c, name, version);
    const kind = bodyKind(c, true);
    let wantProbabilities = queryProbabilities(c);
    // The slot is taken once the body is here: a slow upload holds none (body.ts bounds its time).
    const text = await readBody(c, limits.maxBodyBytes, budget);
    admit();
    try {
      if (kind === 'csv') {
        const encoded = encodeCsv(model, text, limits.maxRows);
        info.rows = encoded.rows;
        checkProbabilities(model, wantProbabilities, encoded.rows, limits.maxOutputCells);
        const out = predict(model, encoded, wantProbabilities);
        return c.body(formatCsv(model, out.labels, out.values, out.probabilities), 200, CSV_HEADERS);
      }
      const body = parseJson(text);
      const count = (body as { instances?: unknown })?.instances;
      if (Array.isArray(count) && count.length > limits.maxRows) throw tooManyRows(count.length, limits.maxRows);
      const request = isPlainV1(body) ? body : await v1ViaSchema(body);
      info.rows = request.instances.length;
      if (request.parameters?.probabilities !== undefined) wantProbabilities ||= request.parameters.probabilities;
      checkProbabilities(model, wantProbabilities, request.instances.length, limits.maxOutputCells);
      const encoded = encodeInstances(model, request.instances);
      const out = predict(model, encoded, wantProbabilities);
      if (out.labels) {
        const predictions = classNames(model, out.labels);
        if (!out.probabilities) return c.json({ predictions });
        const k = model.predictor.classes.length;
        const rows = new Array<number[]>(encoded.rows);
        for (let r = 0; r < encoded.rows; r++) rows[r] = Array.from(out.probabilities.subarray(r * k, r * k + k));
        return c.json({ predictions, classes: model.predictor.classes, probabilities: rows });
      }
      return c.json({ predictions: Array.from(out.values!) });
    } finally {
      metrics.inflight--;
    }
  };

  app.post('/v1/models/:spec', (c) => {
    c.env.info.route = 'v1_predict';
    return v1Predict(c, splitVerb(c.req.param('spec')), undefined);
  });
  app.post('/v1/models/:name/versions/:spec', (c) => {
    c.env.info.route = 'v1_predict';
    return v1Predict(c, c.req.param('name'), splitVerb(c.req.param('spec')));
  });

  app.get('/v1/models', (c) => {
    c.env.info.route = 'metadata';
    return c.json({ models: listModels(state).map((m) => modelInfo(state, m)) });
  });

  // `name:verb` is the predict route's (POST): a GET of it is a 405 from the route table (app.ts).
  app.get('/v1/models/:name{[^:]+}', (c) => {
    c.env.info.route = 'metadata';
    const name = c.req.param('name');
    const found = listModels(state).find((m) => m.name === name);
    if (!found) lookup(state, c, name, undefined);
    return c.json(modelInfo(state, found!));
  });

  return app;
}
