// Every route of the serving API, through `app.request`: answers, metadata, probabilities, and a
// JSON 4xx that names the wrong part for each kind of bad request.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServingApp } from '../../serving/app.ts';
import type { ServedModel } from '../../serving/model.ts';
import { createApp } from '../../serving/app.ts';
import { createLogger } from '../../serving/log.ts';
import { createState, installModels } from '../../serving/state.ts';
import { exampleApp, postCsv, postJson, servedExamples, trainedMixed } from './helpers.ts';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };

let ctx: Awaited<ReturnType<typeof exampleApp>>;
let app: ServingApp;
let iris: ServedModel;

beforeAll(async () => {
  ctx = await exampleApp({ maxRows: 1000, maxBodyBytes: 200_000 });
  app = ctx.app;
  iris = ctx.state.models.get('iris')!;
});

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

async function expectError(res: Response | Promise<Response>, status: number, match: RegExp, fields: Record<string, unknown> = {}) {
  const r = await res;
  const body = await json(r);
  expect({ status: r.status, error: body.error }).toMatchObject({ status, error: expect.stringMatching(match) });
  expect(body).toMatchObject(fields);
  return r;
}

describe('health and metadata', () => {
  it('live, ready, server metadata', async () => {
    expect(await json(await app.request('/v2/health/live'))).toEqual({ live: true });
    const ready = await app.request('/v2/health/ready');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ ready: true });
    expect(await json(await app.request('/v2'))).toMatchObject({ name: 'mlship', version: expect.any(String), extensions: [] });
  });

  it('model metadata, with and without the version, and model readiness', async () => {
    const meta = await json(await app.request('/v2/models/iris'));
    expect(meta).toEqual({
      name: 'iris',
      versions: [iris.version],
      platform: 'mlship_cart',
      inputs: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({ name, datatype: 'FP64', shape: [-1] })),
      outputs: [
        { name: 'predictions', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP64', shape: [-1, 3] },
      ],
    });
    expect(await json(await app.request(`/v2/models/iris/versions/${iris.version}`))).toEqual(meta);
    expect((await json(await app.request('/v2/models/diabetes'))).outputs).toEqual([{ name: 'predictions', datatype: 'FP64', shape: [-1] }]);
    expect(await json(await app.request('/v2/models/iris/ready'))).toEqual({ name: 'iris', ready: true });
    expect((await app.request(`/v2/models/iris/versions/${iris.version}/ready`)).status).toBe(200);
    await expectError(app.request('/v2/models/iris/versions/000000000000'), 404, /no version "000000000000".*serving version/, { model: 'iris' });
    await expectError(app.request('/v2/models/iris/versions/000000000000/ready'), 404, /no version/);
    await expectError(app.request('/v2/models/nope'), 404, /no model named "nope" \(served: diabetes, iris, wine\)/);
    await expectError(app.request('/v2/models/nope/ready'), 404, /no model named/);
  });

  it('GET /v1/models lists name, version, task, metrics and lineage; GET /v1/models/{name} one', async () => {
    const { models } = (await json(await app.request('/v1/models'))) as { models: Record<string, unknown>[] };
    expect(models.map((m) => m.name)).toEqual(['diabetes', 'iris', 'wine']);
    const m = models.find((x) => x.name === 'iris')!;
    expect(m).toMatchObject({
      name: 'iris',
      version: iris.version,
      sha256: iris.sha256,
      task: 'classification',
      ready: true,
      metrics: { accuracy: expect.any(Number), macroF1: expect.any(Number) },
      source: { commit: null, spec: 'models/iris/model.yaml' },
      lineage: { data: { file: 'iris.csv', rows: 150 }, trainer: expect.any(String) },
      target: { name: 'species', classes: ['setosa', 'versicolor', 'virginica'] },
    });
    expect(await json(await app.request('/v1/models/iris'))).toEqual(m);
    await expectError(app.request('/v1/models/nope'), 404, /no model named/);
  });

  it('openapi.json is OpenAPI 3.1 with the request schemas generated from zod', async () => {
    const doc = (await json(await app.request('/openapi.json'))) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, Record<string, unknown>> } };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v2/health/live', '/v2/health/ready', '/v2', '/v2/models/{name}', '/v2/models/{name}/versions/{version}/infer', '/v1/models', '/v1/models/{name}:predict', '/metrics', '/openapi.json', '/']) {
      expect(doc.paths).toHaveProperty([p]);
    }
    const v1 = doc.components.schemas.V1PredictRequest!;
    expect(v1).toMatchObject({ type: 'object', required: ['instances'], additionalProperties: false });
    expect(doc.components.schemas.V2InferenceRequest).toMatchObject({ type: 'object', required: ['inputs'] });
    expect(JSON.stringify(doc)).not.toMatch(/"\$(schema|id)"/);
  });

  it('the web page lists the models, links their pages, and allows no inline script or style', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).toMatch(/style-src 'self';/);
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    for (const name of ['iris', 'wine', 'diabetes']) expect(html).toContain(`<a href="/models/${name}">${name}</a>`);
    expect(html).toContain(iris.version);
    expect(html).not.toMatch(/<script>|<style|style="/);
    const page = await app.request('/models/iris');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form id="try-form"/);
  });

  it('/metrics is the Prometheus text format with requests, latency histogram and rows', async () => {
    const { app: a } = await exampleApp();
    await a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA, VIRGINICA] }));
    await a.request('/v1/models/iris:predict', postJson({ instances: [{ ...SETOSA, petal_width: 'x' }] }));
    await a.request('/v2/models/nope/infer', postJson({}));
    const res = await a.request('/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE mlship_http_requests_total counter');
    expect(text).toContain('mlship_http_requests_total{route="v1_predict",model="iris",status="200"} 1');
    expect(text).toContain('mlship_http_requests_total{route="v1_predict",model="iris",status="400"} 1');
    expect(text).toContain('mlship_http_requests_total{route="v2_infer",model="",status="404"} 1');
    expect(text).toContain('# TYPE mlship_http_request_duration_seconds histogram');
    expect(text).toMatch(/mlship_http_request_duration_seconds_bucket\{route="v1_predict",model="iris",le="\+Inf"\} 2/);
    expect(text).toContain('mlship_http_request_duration_seconds_count{route="v1_predict",model="iris"} 2');
    expect(text).toContain('mlship_predicted_rows_total{model="iris",status="200"} 2');
    expect(text).toContain('mlship_predicted_rows_total{model="iris",status="400"} 1');
    expect(text).toContain('mlship_ready 1');
    expect(text).toContain(`mlship_model_ready{model="iris",version="${iris.version}"} 1`);
    // every sample line is `name{labels} value`
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) .+|[a-z_]+(\{[^}]*\})? [0-9.e+-]+)$/);
  });
});

describe('predictions', () => {
  it('v1: objects and arrays, class names', async () => {
    const res = await app.request('/v1/models/iris:predict', postJson({ instances: [SETOSA, Object.values(VIRGINICA)] }));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ predictions: ['setosa', 'virginica'] });
  });

  it('v1: the versioned route, and an unknown version', async () => {
    const res = await app.request(`/v1/models/iris/versions/${iris.version}:predict`, postJson({ instances: [SETOSA] }));
    expect(await json(res)).toEqual({ predictions: ['setosa'] });
    await expectError(app.request('/v1/models/iris/versions/aaaaaaaaaaaa:predict', postJson({ instances: [SETOSA] })), 404, /no version/);
  });

  it('v1: probabilities by parameter or query flag, as classes + one row per instance', async () => {
    for (const [url, body] of [
      ['/v1/models/iris:predict', { instances: [SETOSA, VIRGINICA], parameters: { probabilities: true } }],
      ['/v1/models/iris:predict?probabilities=true', { instances: [SETOSA, VIRGINICA] }],
    ] as const) {
      const out = (await json(await app.request(url, postJson(body)))) as { predictions: string[]; classes: string[]; probabilities: number[][] };
      expect(out.predictions).toEqual(['setosa', 'virginica']);
      expect(out.classes).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(out.probabilities).toHaveLength(2);
      expect(out.probabilities[0]![0]).toBeGreaterThan(0.5);
      expect(out.probabilities[1]![2]).toBeGreaterThan(0.5);
      for (const row of out.probabilities) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
    const off = await json(await app.request('/v1/models/iris:predict?probabilities=false', postJson({ instances: [SETOSA] })));
    expect(off).toEqual({ predictions: ['setosa'] });
  });

  it('v1: regression values; probabilities of a regression model are a 400', async () => {
    const row = Object.fromEntries(ctx.state.models.get('diabetes')!.featureNames.map((n) => [n, 1]));
    const out = (await json(await app.request('/v1/models/diabetes:predict', postJson({ instances: [row, row] })))) as { predictions: number[] };
    expect(out.predictions).toHaveLength(2);
    expect(typeof out.predictions[0]).toBe('number');
    await expectError(app.request('/v1/models/diabetes:predict?probabilities=true', postJson({ instances: [row] })), 400, /regression model/);
  });

  it('null imputes a value; the prediction equals sending the training median', async () => {
    const median = iris.features.find((f) => f.name === 'petal_length')!;
    if (median.type !== 'number') throw new Error('petal_length should be a number');
    const a = await json(await app.request('/v1/models/iris:predict?probabilities=1', postJson({ instances: [{ ...VIRGINICA, petal_length: null }] })));
    const b = await json(await app.request('/v1/models/iris:predict?probabilities=1', postJson({ instances: [{ ...VIRGINICA, petal_length: median.impute }] })));
    expect(a).toEqual(b);
  });

  it('CSV with probabilities: prediction + probability_<class> columns; quoted cells and a BOM', async () => {
    const csv = '\ufeffsepal_length,sepal_width,"petal_length",petal_width\n5.1,3.5,1.4,0.2\n\n 6.3 ,3.3,"6.0",2.5\n';
    const res = await app.request('/v1/models/iris:predict?probabilities=true', postCsv(csv));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('prediction,probability_setosa,probability_versicolor,probability_virginica');
    expect(text.split('\n').slice(1, 3).map((l) => l.split(',')[0])).toEqual(['setosa', 'virginica']);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('v2: probabilities by the outputs list, by parameters, by the query; only the outputs asked for', async () => {
    const inputs = [{ name: 'x', datatype: 'FP64', shape: [2, 4], data: [Object.values(SETOSA), Object.values(VIRGINICA)] }];
    const byOutputs = (await json(await app.request('/v2/models/iris/infer', postJson({ inputs, outputs: [{ name: 'probabilities' }] })))) as { outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
    expect(byOutputs.outputs.map((o) => o.name)).toEqual(['probabilities']);
    expect(byOutputs.outputs[0]).toMatchObject({ datatype: 'FP64', shape: [2, 3] });
    expect(byOutputs.outputs[0]!.data).toHaveLength(6);
    for (const req of [
      { url: '/v2/models/iris/infer', body: { inputs, parameters: { probabilities: true } } },
      { url: '/v2/models/iris/infer?probabilities=true', body: { inputs } },
      { url: `/v2/models/iris/versions/${iris.version}/infer`, body: { inputs, outputs: [{ name: 'predictions' }, { name: 'probabilities' }] } },
    ]) {
      const out = (await json(await app.request(req.url, postJson(req.body)))) as { outputs: { name: string; data: unknown[] }[] };
      expect(out.outputs.map((o) => o.name)).toEqual(['predictions', 'probabilities']);
      expect(out.outputs[0]!.data).toEqual(['setosa', 'virginica']);
    }
    const plain = (await json(await app.request('/v2/models/iris/infer', postJson({ inputs })))) as { id?: string; outputs: unknown[] };
    expect(plain.outputs).toHaveLength(1);
    expect(plain).not.toHaveProperty('id');
  });

  it('v2: per-feature tensors with [rows, 1] shapes and INT datatypes', async () => {
    const inputs = Object.entries(VIRGINICA).map(([name, v]) => ({ name, datatype: name === 'sepal_length' ? 'FP32' : 'FP64', shape: [1, 1], data: [[v]] }));
    inputs[1] = { name: 'sepal_width', datatype: 'INT32', shape: [1], data: [3] } as never;
    const out = (await json(await app.request('/v2/models/iris/infer', postJson({ inputs })))) as { outputs: { data: string[] }[] };
    expect(out.outputs[0]!.data).toEqual(['virginica']);
  });
});

describe('bad requests: a JSON 4xx naming the wrong part', () => {
  const predict = (body: unknown, headers: Record<string, string> = {}) => app.request('/v1/models/iris:predict', postJson(body, headers));
  const infer = (body: unknown) => app.request('/v2/models/iris/infer', postJson(body));

  it('malformed JSON, empty body, not an object', async () => {
    await expectError(predict('{"instances": [1, 2'), 400, /^malformed JSON/);
    await expectError(predict(''), 400, /body is empty/);
    await expectError(predict('[1,2]'), 400, /expected object/);
    await expectError(predict('null'), 400, /expected object/);
  });

  it('envelope: missing instances, empty, unknown fields, bad parameters', async () => {
    await expectError(predict({}), 400, /field "instances": is required/, { field: 'instances' });
    await expectError(predict({ instances: [] }), 400, /field "instances"/);
    await expectError(predict({ instances: [SETOSA], inputs: {} }), 400, /unknown field "inputs"/);
    await expectError(predict({ instances: [SETOSA], parameters: { probabilities: 'yes' } }), 400, /field "parameters.probabilities"/);
    await expectError(predict({ instances: [SETOSA], parameters: { temperature: 1 } }), 400, /unknown field "temperature"/);
    await expectError(predict({ instances: 'all' }), 400, /field "instances"/);
  });

  it('a missing feature (absent key) is a 400 naming the row and the feature', async () => {
    const { petal_width: _, ...missing } = SETOSA;
    await expectError(predict({ instances: [SETOSA, missing] }), 400, /^row 1, feature "petal_width": missing \(send null/, { row: 1, feature: 'petal_width' });
  });

  it('an extra feature, a wrong-length array, a non-row', async () => {
    await expectError(predict({ instances: [{ ...SETOSA, colour: 'red' }] }), 400, /row 0: "colour" is not a feature of model "iris"/, { row: 0, feature: 'colour' });
    await expectError(predict({ instances: [SETOSA, [1, 2, 3]] }), 400, /row 1: has 3 values but model "iris" has 4 features/, { row: 1 });
    await expectError(predict({ instances: [SETOSA, 'x'] }), 400, /row 1: expected an object/, { row: 1 });
    await expectError(predict({ instances: [{ ...SETOSA, constructor: 1 }] }), 400, /"constructor" is not a feature/);
  });

  it('mistyped values name the row and feature', async () => {
    await expectError(predict({ instances: [SETOSA, SETOSA, { ...SETOSA, sepal_width: 'wide' }] }), 400, /^row 2, feature "sepal_width": expected a finite number, got "wide"/, { row: 2, feature: 'sepal_width' });
    await expectError(predict({ instances: [{ ...SETOSA, sepal_width: true }] }), 400, /row 0, feature "sepal_width": expected a finite number, got true/);
    await expectError(predict({ instances: [{ ...SETOSA, sepal_width: [1] }] }), 400, /row 0, feature "sepal_width": expected a number or null, got an array/);
    await expectError(predict({ instances: [{ ...SETOSA, sepal_width: { v: 1 } }] }), 400, /got an object/);
    await expectError(predict('{"instances":[{"sepal_length":1e999,"sepal_width":1,"petal_length":1,"petal_width":1}]}'), 400, /row 0, feature "sepal_length": expected a finite number, got Infinity/);
  });

  it('mistyped values for boolean and category features', async () => {
    const { model } = await trainedMixed();
    const mixed = createApp({ state: stateWithModels([model]), logger: createLogger(() => undefined) });
    const r1 = await mixed.request('/v1/models/mixed:predict', postJson({ instances: [{ color: 1, member: true, size: 1 }] }));
    await expectError(r1, 400, /row 0, feature "color": expected a category \(string\), got 1/);
    const r2 = await mixed.request('/v1/models/mixed:predict', postJson({ instances: [{ color: 'red', member: 'yes', size: 1 }] }));
    await expectError(r2, 400, /row 0, feature "member": expected true or false, got "yes"/);
    const r3 = await mixed.request('/v1/models/mixed:predict', postCsv('color,member,size\nred,maybe,1\n'));
    await expectError(r3, 400, /CSV line 2 \(row 0\), feature "member"/, { row: 0, line: 2, feature: 'member' });
    const r4 = await mixed.request('/v2/models/mixed/infer', postJson({ inputs: [
      { name: 'color', datatype: 'FP64', shape: [1], data: [1] },
      { name: 'member', datatype: 'BOOL', shape: [1], data: [true] },
      { name: 'size', datatype: 'FP64', shape: [1], data: [1] },
    ] }));
    await expectError(r4, 400, /input "color": datatype FP64 does not fit a category feature; use BYTES/);
    const r5 = await mixed.request('/v2/models/mixed/infer', postJson({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 3], data: [1, 1, 1] }] }));
    await expectError(r5, 400, /has a category feature \("color"\), so it needs one tensor per feature/);
  });

  it('CSV: NaN, Infinity, text, bad header, ragged rows, bad quoting', async () => {
    const csv = (rows: string) => app.request('/v1/models/iris:predict', postCsv(`sepal_length,sepal_width,petal_length,petal_width\n${rows}`));
    await expectError(csv('1,2,3,4\n1,NaN,3,4\n'), 400, /^CSV line 3 \(row 1\), feature "sepal_width": expected a finite number, got NaN/, { row: 1, line: 3, feature: 'sepal_width' });
    await expectError(csv('1,2,-Infinity,4\n'), 400, /feature "petal_length": expected a finite number, got -Infinity/);
    await expectError(csv('1,2,3,1e400\n'), 400, /feature "petal_width": expected a finite number, got Infinity/);
    await expectError(csv('1,2,3,abc\n'), 400, /feature "petal_width": expected a finite number, got "abc"/);
    await expectError(csv('1,2,3\n'), 400, /CSV line 2 \(row 0\): has 3 cells but the header has 4/);
    await expectError(csv('1,2,"3,4\n'), 400, /CSV line 2: a quoted field is not closed/);
    await expectError(csv('1,2,3"x,4\n'), 400, /CSV line 2: a quote inside an unquoted field/);
    await expectError(csv(''), 400, /has a header but no rows/);
    await expectError(app.request('/v1/models/iris:predict', postCsv('')), 400, /CSV body is empty/);
    await expectError(app.request('/v1/models/iris:predict', postCsv('sepal_length,sepal_width,petal_length\n1,2,3\n')), 400, /missing feature column "petal_width"/, { feature: 'petal_width' });
    await expectError(app.request('/v1/models/iris:predict', postCsv('sepal_length,sepal_width,petal_length,petal_width,species\n1,2,3,4,x\n')), 400, /column "species" is not a feature/);
    await expectError(app.request('/v1/models/iris:predict', postCsv('sepal_length,sepal_length,petal_length,petal_width\n1,2,3,4\n')), 400, /"sepal_length" appears twice/);
    // empty cells and NA are missing values (imputed), not errors
    const ok = await csv('1,,NA,4\n');
    expect(ok.status).toBe(200);
  });

  it('v2: shapes, datatypes, unknown and missing inputs, outputs', async () => {
    const full = (over: Record<string, unknown>[] = []) => [
      ...Object.entries(SETOSA).map(([name, v]) => ({ name, datatype: 'FP64', shape: [1], data: [v] })),
      ...over,
    ];
    await expectError(infer({ inputs: full().slice(1) }), 400, /feature "sepal_length" is missing/, { feature: 'sepal_length' });
    await expectError(infer({ inputs: full([{ name: 'extra', datatype: 'FP64', shape: [1], data: [1] }]) }), 400, /input "extra" is not a feature of model "iris"/);
    await expectError(infer({ inputs: full([{ name: 'sepal_length', datatype: 'FP64', shape: [1], data: [1] }]) }), 400, /input "sepal_length" is given twice/);
    const bad = full();
    bad[0] = { name: 'sepal_length', datatype: 'BYTES', shape: [1], data: ['x'] };
    await expectError(infer({ inputs: bad }), 400, /input "sepal_length": datatype BYTES does not fit a number feature; use FP64/);
    bad[0] = { name: 'sepal_length', datatype: 'FP64', shape: [2], data: [1, 2] };
    await expectError(infer({ inputs: bad }), 400, /input "sepal_width": has 1 rows but input "sepal_length" has 2/);
    bad[0] = { name: 'sepal_length', datatype: 'FP64', shape: [1], data: [1, 2] };
    await expectError(infer({ inputs: bad }), 400, /input "sepal_length": data must hold shape \[1\] = 1 values/);
    bad[0] = { name: 'sepal_length', datatype: 'INT64', shape: [1], data: [1.5] };
    await expectError(infer({ inputs: bad }), 400, /row 0, feature "sepal_length": 1.5 is not an integer/);
    bad[0] = { name: 'sepal_length', datatype: 'FP64', shape: [1, 2], data: [1, 2] };
    await expectError(infer({ inputs: bad }), 400, /shape must be \[rows\] or \[rows, 1\]/);
    bad[0] = { name: 'sepal_length', datatype: 'FP99', shape: [1], data: [1] };
    await expectError(infer({ inputs: bad }), 400, /field "inputs.0.datatype"/, { field: 'inputs.0.datatype' });
    await expectError(infer({ inputs: [{ name: 'm', datatype: 'FP64', shape: [1, 3], data: [1, 2, 3] }] }), 400, /input "m" is not a feature of model "iris": send one tensor per feature/);
    await expectError(infer({ inputs: [{ name: 'm', datatype: 'BYTES', shape: [1, 4], data: ['1', '2', '3', '4'] }] }), 400, /datatype BYTES cannot carry numbers/);
    await expectError(infer({ inputs: [{ name: 'm', datatype: 'FP64', shape: [2, 4], data: [[1, 2, 3, 4], [1, 2, 'x', 4]] }] }), 400, /row 1, feature "petal_length": expected a finite number, got "x"/);
    await expectError(infer({ inputs: full(), outputs: [{ name: 'logits' }] }), 400, /field "outputs.0.name"/);
    await expectError(infer({ inputs: full(), outputs: [{ name: 'predictions' }, { name: 'predictions' }] }), 400, /listed twice/);
    await expectError(infer({ inputs: [] }), 400, /field "inputs"/);
    await expectError(infer({ inputs: full(), extra: 1 }), 400, /unknown field "extra"/);
    await expectError(infer({ inputs: [{ name: 'm', datatype: 'FP64', shape: [0, 4], data: [] }] }), 400, /no rows/);
  });

  it('unknown model, route, method and verb', async () => {
    await expectError(app.request('/v1/models/nope:predict', postJson({ instances: [SETOSA] })), 404, /no model named "nope"/);
    await expectError(app.request('/v1/models/iris:classify', postJson({ instances: [SETOSA] })), 404, /unsupported verb ":classify"/);
    await expectError(app.request('/v1/models/iris', postJson({ instances: [SETOSA] })), 405, /POST needs the verb/);
    await expectError(app.request('/v2/models/nope/infer', postJson({ inputs: [] })), 404, /no model named "nope"/);
    await expectError(app.request('/nope'), 404, /no such route: GET \/nope/);
    const r = await expectError(app.request('/v2/models/iris/infer'), 405, /GET is not allowed.*use POST/);
    expect(r.headers.get('allow')).toBe('POST');
    await expectError(app.request('/v2/health/ready', { method: 'DELETE' }), 405, /use GET/);
    await expectError(app.request('/v1/models/iris:predict'), 405, /use POST/);
  });

  it('wrong content type is a 415', async () => {
    await expectError(app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }), 415, /unsupported content type.*curl -d/);
    await expectError(app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 415, /send application\/json or text\/csv/);
    await expectError(app.request('/v2/models/iris/infer', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a\n1' }), 415, /send application\/json$/);
    await expectError(app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' }), 415, /charset/);
    // no content type at all is taken as JSON; a +json type and a UTF-8 charset are fine
    expect((await app.request('/v1/models/iris:predict', { method: 'POST', body: new TextEncoder().encode(JSON.stringify({ instances: [SETOSA] })) })).status).toBe(200);
    expect((await predict({ instances: [SETOSA] }, { 'content-type': 'application/vnd.api+json; charset=UTF-8' })).status).toBe(200);
  });

  it('the query flag must be a boolean', async () => {
    await expectError(app.request('/v1/models/iris:predict?probabilities=maybe', postJson({ instances: [SETOSA] })), 400, /query "probabilities" must be true or false/);
  });
});

describe('limits', () => {
  it('a body over the byte limit is a 413, by Content-Length or while streaming', async () => {
    const big = JSON.stringify({ instances: Array.from({ length: 3000 }, () => SETOSA) });
    expect(big.length).toBeGreaterThan(200_000);
    const r1 = await expectError(predictWith(big, { 'content-length': String(Buffer.byteLength(big)) }), 413, /request body too large: \d+ bytes, over the limit of 200000 bytes/, { limit: 200_000 });
    expect(r1.headers.get('connection')).toBe('close');
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 30; i++) controller.enqueue(new TextEncoder().encode(big.slice(i * 10_000, (i + 1) * 10_000)));
        controller.close();
      },
    });
    await expectError(app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit), 413, /more than the limit/);
  });

  it('more rows than the row limit is a 413 (JSON, CSV, v2)', async () => {
    const rows = Array.from({ length: 1001 }, () => [1, 2, 3, 4]);
    await expectError(app.request('/v1/models/iris:predict', postJson({ instances: rows })), 413, /too many rows: 1001 \(the limit is 1000/, { rows: 1001, limit: 1000 });
    const csv = `sepal_length,sepal_width,petal_length,petal_width\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    await expectError(app.request('/v1/models/iris:predict', postCsv(csv)), 413, /too many rows/);
    await expectError(app.request('/v2/models/iris/infer', postJson({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1001, 4], data: rows }] })), 413, /too many rows: 1001/);
    await expectError(app.request('/v2/models/iris/infer', postJson({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1e15, 4], data: [] }] })), 413, /too many rows/);
    // exactly at the limit is fine
    expect((await app.request('/v1/models/iris:predict', postJson({ instances: rows.slice(1) }))).status).toBe(200);
  });

  it('too many requests in flight is a 429 with Retry-After', async () => {
    // A request takes its slot only once its body has arrived (slow uploads hold none:
    // hardening/slow-uploads.test.ts), and predicting is synchronous, so here the slots are held
    // as a long prediction would hold them.
    const { app: a, metrics } = await exampleApp({ maxInflight: 2 });
    metrics.inflight = 2;
    const over = await expectError(a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] })), 429, /too many requests in flight \(limit 2/);
    expect(over.headers.get('retry-after')).toBe('1');
    await expectError(a.request('/v2/models/iris/infer', postJson({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] })), 429, /too many requests in flight/);
    metrics.inflight = 1;
    expect((await a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] }))).status).toBe(200);
    expect(metrics.inflight).toBe(1);
  });
});

describe('not ready', () => {
  it('loading: ready is 503 and model routes answer 503 with Retry-After', async () => {
    const state = createState();
    const a = createApp({ state, logger: createLogger(() => undefined) });
    await expectError(a.request('/v2/health/ready'), 503, /still loading/);
    const r = await expectError(a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] })), 503, /still loading/);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await a.request('/v2/health/live')).status).toBe(200);
  });

  it('a refused model: ready 503 naming it and why, the model 503, the others served', async () => {
    const models = await servedExamples();
    const iris = models.find((m) => m.name === 'iris')!;
    const state = createState();
    installModels(state, models.filter((m) => m !== iris), [{ name: 'iris', entry: iris.entry, reason: 'sha256 mismatch: the lock pins a but the artifact hashes to b' }]);
    const a = createApp({ state, logger: createLogger(() => undefined) });
    await expectError(a.request('/v2/health/ready'), 503, /model "iris" version \w+ is not served: sha256 mismatch/);
    await expectError(a.request('/v2/models/iris'), 503, /model "iris" version \w+ is not served: sha256 mismatch/);
    await expectError(a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] })), 503, /not served/);
    await expectError(a.request('/v2/models/iris/ready'), 503, /not served/);
    expect((await a.request('/v2/models/wine/ready')).status).toBe(200);
    const { models: listed } = (await json(await a.request('/v1/models'))) as { models: Record<string, unknown>[] };
    expect(listed.find((m) => m.name === 'iris')).toMatchObject({ ready: false, error: expect.stringMatching(/sha256 mismatch/), version: iris.version });
    expect(await (await a.request('/metrics')).text()).toContain('mlship_ready 0');
    expect(await (await a.request('/')).text()).toMatch(/not served: sha256 mismatch/);
  });

  it('a lock that pins nothing: ready, and says so', async () => {
    const a = createApp({ state: stateWithModels([]), logger: createLogger(() => undefined) });
    expect((await a.request('/v2/health/ready')).status).toBe(200);
    expect(await json(await a.request('/v1/models'))).toEqual({ models: [] });
    await expectError(a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] })), 404, /the lock pins no models/);
    expect(await (await a.request('/')).text()).toContain('The lock pins no models.');
  });

  it('draining: ready turns 503, predictions are still answered', async () => {
    const { app: a, state } = await exampleApp();
    state.draining = true;
    await expectError(a.request('/v2/health/ready'), 503, /draining/);
    expect((await a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA] }))).status).toBe(200);
  });
});

describe('request logs', () => {
  it('one JSON line per request with model, version, rows, status and latency', async () => {
    const { app: a, records, logger } = await exampleApp();
    await a.request('/v1/models/iris:predict', postJson({ instances: [SETOSA, SETOSA, SETOSA] }, { 'x-request-id': 'abc-123' }));
    await a.request('/v1/models/iris:predict', postJson({ instances: [{ ...SETOSA, sepal_width: 'x' }] }, { 'x-request-id': 'bad id with spaces' }));
    logger.flush();
    const lines = records.filter((r) => r.msg === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ method: 'POST', path: '/v1/models/iris:predict', route: 'v1_predict', model: 'iris', version: iris.version, rows: 3, status: 200, request_id: 'abc-123' });
    expect(lines[0]!.ms).toEqual(expect.any(Number));
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(lines[1]).toMatchObject({ status: 400, rows: 1 });
    expect(lines[1]).not.toHaveProperty('request_id');
  });
});

function predictWith(body: string, headers: Record<string, string>) {
  return app.request('/v1/models/iris:predict', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

function stateWithModels(models: ServedModel[]) {
  const state = createState();
  installModels(state, models, []);
  return state;
}
