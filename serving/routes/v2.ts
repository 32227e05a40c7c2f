/**
 * Open Inference Protocol (KServe v2): health, server and model metadata, model readiness and
 * `POST /v2/models/{name}[/versions/{v}]/infer`.
 */
import { Hono } from 'hono';
import { parseJson, readBody } from '../body.ts';
import type { Env, ServingContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { encodeV2Inputs, tooManyRows, v2Rows } from '../inputs.ts';
import { OUTPUT_PREDICTIONS, OUTPUT_PROBABILITIES } from '../model.ts';
import { bodyKind } from '../negotiation.ts';
import { checkProbabilities, classNames, predict, queryProbabilities } from '../prediction.ts';
import { checkV2Counts, isPlainV2 } from '../plain-bodies.ts';
import { v2ViaSchema } from '../schema-fallback.ts';
import type { V2Envelope } from '../schemas.ts';
import { notReadyReason } from '../state.ts';
import type { RouteDeps } from './deps.ts';
import { lookup } from './lookup.ts';

export const SERVER_NAME = 'mlship';

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
      const wantProbabilities = queryProbs || request.parameters?.probabilities === true || (requested?.includes(OUTPUT_PROBABILITIES) ?? false);
      checkProbabilities(model, wantProbabilities, rows, limits.maxOutputCells);
      const encoded = encodeV2Inputs(model, request.inputs);
      const out = predict(model, encoded, wantProbabilities);
      const outputs: unknown[] = [];
      if (!requested || requested.includes(OUTPUT_PREDICTIONS)) {
        if (out.labels) outputs.push({ name: OUTPUT_PREDICTIONS, datatype: 'BYTES', shape: [encoded.rows], data: classNames(model, out.labels) });
        else outputs.push({ name: OUTPUT_PREDICTIONS, datatype: 'FP64', shape: [encoded.rows], data: Array.from(out.values!) });
      }
      if (out.probabilities) {
        outputs.push({ name: OUTPUT_PROBABILITIES, datatype: 'FP64', shape: [encoded.rows, model.predictor.classes.length], data: Array.from(out.probabilities) });
      }
      return c.json({ model_name: model.name, model_version: model.version, ...(request.id !== undefined ? { id: request.id } : {}), outputs });
    } finally {
      metrics.inflight--;
    }
  };
  app.post('/v2/models/:name/infer', (c) => infer(c, undefined));
  app.post('/v2/models/:name/versions/:version/infer', (c) => infer(c, c.req.param('version')));

  return app;
}
