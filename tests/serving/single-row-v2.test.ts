// The single-row v2 reader (serving/single-row-v2.ts): what it reads, that it reads it to the row
// the general path encodes, that every near miss goes to the general path (which answers as it
// always did), and the infer answer's exact bytes (routes/v2.ts builds them as text).
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServingApp } from '../../serving/app.ts';
import { createApp } from '../../serving/app.ts';
import { encodeV2Inputs } from '../../serving/inputs.ts';
import { createLogger } from '../../serving/log.ts';
import type { ServedModel } from '../../serving/model.ts';
import { isPlainV2 } from '../../serving/plain-bodies.ts';
import { v2EnvelopeSchema } from '../../serving/schemas.ts';
import { readSingleRowV2 } from '../../serving/single-row-v2.ts';
import { stateWith } from '../../serving/state.ts';
import { exampleApp, postJson, trainedMixed } from './helpers.ts';

const SETOSA: [string, unknown][] = [
  ['sepal_length', 5.1],
  ['sepal_width', 3.5],
  ['petal_length', 1.4],
  ['petal_width', 0.2],
];
const tensor = (name: string, v: unknown, datatype = 'FP64') => ({ name, shape: [1], datatype, data: [v] });
const perFeature = (values = SETOSA) => ({ inputs: values.map(([n, v]) => tensor(n, v)) });
const COMPACT = JSON.stringify(perFeature());
/** As Python's json.dumps writes it: a space after `:` and `,`. */
const PYTHON = JSON.stringify(perFeature()).replace(/([,:])/g, '$1 ');

let app: ServingApp;
let iris: ServedModel;
let diabetes: ServedModel;

beforeAll(async () => {
  const ctx = await exampleApp();
  app = ctx.app;
  iris = ctx.state.models.get('iris')!;
  diabetes = ctx.state.models.get('diabetes')!;
});

/** What the general path (JSON.parse, the plain check or the schema, encodeV2Inputs) encodes. */
function generalRow(model: ServedModel, text: string): Float64Array {
  const body: unknown = JSON.parse(text);
  expect(isPlainV2(body)).toBe(true);
  const parsed = v2EnvelopeSchema.parse(body);
  return encodeV2Inputs(model, parsed.inputs).x;
}

async function answer(a: ServingApp, text: string, model = 'iris') {
  const res = await a.request(`/v2/models/${model}/infer`, postJson(text));
  return { status: res.status, text: await res.text() };
}

describe('the single-row v2 reader', () => {
  it('reads one tensor per feature, compact or with any JSON whitespace, to the row the general path encodes', () => {
    const bodies = [
      COMPACT,
      PYTHON,
      JSON.stringify(perFeature(), null, 2),
      `\r\n\t${JSON.stringify(perFeature(), null, '\t').replace(/\n/g, '\r\n')}\n`,
      JSON.stringify(perFeature([['sepal_length', null], ['sepal_width', -0], ['petal_length', 1e-7], ['petal_width', 2.5e21]])),
      COMPACT.replace('5.1', '51E-1').replace('3.5', '0.35e+1'),
      JSON.stringify({ inputs: SETOSA.map(([n, v], i) => tensor(n, v, ['FP64', 'FP32', 'FP16', 'FP64'][i])) }),
    ];
    for (const text of bodies) {
      const read = readSingleRowV2(iris, text);
      expect(read, text).toBeDefined();
      expect(read!.rows).toBe(1);
      expect(Array.from(read!.x), text).toEqual(Array.from(generalRow(iris, text)));
    }
  });

  it('reads BOOL and BYTES tensors of a model with boolean and category features', async () => {
    const { model } = await trainedMixed();
    const types = { number: 'FP64', boolean: 'BOOL', category: 'BYTES' } as const;
    const body = (values: unknown[]) => JSON.stringify({ inputs: model.features.map((f, i) => tensor(f.name, values[i], types[f.type])) });
    const values = model.features.map((f) => (f.type === 'number' ? 2.5 : f.type === 'boolean' ? true : 'red'));
    const nulls = model.features.map(() => null);
    const unseen = model.features.map((f) => (f.type === 'number' ? 0 : f.type === 'boolean' ? false : 'rød'));
    for (const text of [body(values), body(nulls), body(unseen)]) {
      const read = readSingleRowV2(model, text);
      expect(read, text).toBeDefined();
      expect(Array.from(read!.x)).toEqual(Array.from(generalRow(model, text)));
    }
  });

  it('leaves every near miss to the general path, which answers as it always did', async () => {
    const same = await answer(app, COMPACT);
    expect(same.status).toBe(200);
    const replace = (i: number, t: Record<string, unknown>) => JSON.stringify({ inputs: perFeature().inputs.map((x, j) => (j === i ? t : x)) });
    const [first, second, third, fourth] = perFeature().inputs;
    // [body, expected: the same answer as the canonical body, or a status and error]
    const cases: [string, true | [number, RegExp]][] = [
      // valid, in forms the reader does not take
      [JSON.stringify({ inputs: [fourth, second, third, first] }), true],
      [replace(0, { datatype: 'FP64', name: 'sepal_length', shape: [1], data: [5.1] }), true],
      [replace(0, { ...first, shape: [1, 1] }), true],
      [replace(0, { ...first, shape: [1, 1], data: [[5.1]] }), true],
      [replace(0, { ...first, parameters: {} }), true],
      [COMPACT.replace('"sepal_length"', '"sepal\\u005flength"'), true],
      [JSON.stringify({ ...perFeature(), outputs: [{ name: 'predictions' }] }), true],
      [`{"inputs":${JSON.stringify(perFeature().inputs.slice(0, 1))},${COMPACT.slice(1)}`, true], // "inputs" twice: the last counts
      [`${COMPACT}${' '.repeat(5 * 1024)}`, true], // longer than a single row needs: not tried
      // wrong datatype, shape or value
      [replace(0, { ...first, datatype: 'INT64' }), [400, /row 0, feature "sepal_length": 5.1 is not an integer \(datatype INT64\)/]],
      [replace(0, { ...first, datatype: 'BYTES' }), [400, /input "sepal_length": datatype BYTES does not fit a number feature; use FP64/]],
      [replace(0, { ...first, datatype: 'FP65' }), [400, /field "inputs\.0\.datatype"/]],
      [replace(0, { ...first, shape: [2] }), [400, /has 1 rows but input "sepal_length" has 2/]],
      [replace(0, { ...first, data: [5.1, 5.2] }), [400, /input "sepal_length": data must hold shape \[1\] = 1 values/]],
      [replace(0, { ...first, data: 5.1 }), [400, /field "inputs\.0\.data"/]],
      [replace(0, { ...first, data: ['5.1'] }), [400, /row 0, feature "sepal_length": expected a finite number, got "5\.1"/]],
      [replace(0, { ...first, data: [true] }), [400, /row 0, feature "sepal_length": expected a finite number, got true/]],
      [COMPACT.replace('5.1', '1e999'), [400, /row 0, feature "sepal_length": expected a finite number, got Infinity/]],
      // extra fields, duplicate, missing or unknown names
      [replace(0, { ...first, foo: 1 }), [400, /unknown field "foo"/]],
      [JSON.stringify({ ...perFeature(), foo: 1 }), [400, /unknown field "foo"/]],
      [replace(0, { ...second }), [400, /input "sepal_width" is given twice/]],
      [JSON.stringify({ inputs: [first, second, third] }), [400, /feature "petal_width" is missing/]],
      [replace(0, { ...first, name: 'sepal_len' }), [400, /input "sepal_len" is not a feature of model "iris"/]],
      // not JSON
      [COMPACT.replace(']}', ',]}'), [400, /malformed JSON/]],
      [`\uFEFF${COMPACT}`, [400, /malformed JSON/]],
      [COMPACT.replace(',"shape"', ',\u00a0"shape"'), [400, /malformed JSON/]],
      [COMPACT.replace(',"shape"', ',\f"shape"'), [400, /malformed JSON/]],
      [COMPACT.replace('5.1', '05.1'), [400, /malformed JSON/]],
      [COMPACT.replace('5.1', '.5'), [400, /malformed JSON/]],
      [COMPACT.replace('5.1', 'NaN'), [400, /malformed JSON/]],
      [`${COMPACT}x`, [400, /malformed JSON/]],
    ];
    for (const [text, expected] of cases) {
      expect(readSingleRowV2(iris, text), text).toBeUndefined();
      const got = await answer(app, text);
      if (expected === true) expect(got, text).toEqual(same);
      else {
        expect(got.status, text).toBe(expected[0]);
        expect((JSON.parse(got.text) as { error: string }).error, text).toMatch(expected[1]);
      }
    }
    // with an id, parameters or INT data the general path answers what it asks
    const id = await answer(app, JSON.stringify({ id: 'r1', ...perFeature() }));
    expect(id.text).toBe(same.text.replace(',"outputs"', ',"id":"r1","outputs"'));
    const int = await answer(app, replace(0, { ...first, datatype: 'INT64', data: [5] }));
    expect(int.status).toBe(200);
    const probabilities = await answer(app, JSON.stringify({ parameters: { probabilities: true }, ...perFeature() }));
    expect(JSON.parse(probabilities.text)).toMatchObject({ outputs: [{ name: 'predictions' }, { name: 'probabilities', shape: [1, 3] }] });
  });

  it('does not read a model whose feature names the schema refuses', async () => {
    const { model } = await trainedMixed();
    const long = 'f'.repeat(257);
    const renamed: ServedModel = { ...model, featureNames: [long, ...model.featureNames.slice(1)], featureIndex: new Map([[long, 0], ...[...model.featureIndex].slice(1)]), features: [{ ...model.features[0]!, name: long }, ...model.features.slice(1)] };
    const types = { number: 'FP64', boolean: 'BOOL', category: 'BYTES' } as const;
    const text = JSON.stringify({ inputs: renamed.features.map((f) => tensor(f.name, null, types[f.type])) });
    expect(readSingleRowV2(renamed, text)).toBeUndefined();
    const served = createApp({ state: stateWith([renamed]), logger: createLogger(() => undefined) });
    const got = await answer(served, text, 'mixed');
    expect(got.status).toBe(400);
    expect((JSON.parse(got.text) as { error: string }).error).toMatch(/^field "inputs\.0\.name": /);
  });
});

describe('the infer answer', () => {
  /** The answer as c.json wrote it: this object, in this key order, through JSON.stringify. */
  async function expectBytes(a: ServingApp, url: string, body: unknown, model: ServedModel, id?: string) {
    const res = await a.request(url, postJson(body));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    const outputs = (JSON.parse(text) as { outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] }).outputs;
    expect(outputs.length).toBeGreaterThan(0);
    const object = { model_name: model.name, model_version: model.version, ...(id !== undefined ? { id } : {}), outputs: outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: o.data })) };
    expect(text).toBe(JSON.stringify(object));
    return outputs;
  }

  it('is the text JSON.stringify gives for the answer object, whichever outputs it holds', async () => {
    const matrix = { inputs: [{ name: 'x', shape: [3, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2, 6.3, 3.3, 6.0, 2.5, 5.9, 3.0, 4.2, 1.5] }] };
    expect((await expectBytes(app, '/v2/models/iris/infer', COMPACT, iris))[0]!.data).toEqual(['setosa']);
    await expectBytes(app, '/v2/models/iris/infer', PYTHON, iris);
    await expectBytes(app, '/v2/models/iris/infer?probabilities=true', COMPACT, iris);
    await expectBytes(app, '/v2/models/iris/infer', { id: 'a "quoted" id', ...matrix, outputs: [{ name: 'probabilities' }] }, iris, 'a "quoted" id');
    await expectBytes(app, '/v2/models/iris/infer', { ...matrix, parameters: { probabilities: true } }, iris);
    const regression = { inputs: [{ name: 'x', shape: [2, diabetes.featureNames.length], datatype: 'FP64', data: Array.from({ length: 2 * diabetes.featureNames.length }, (_, i) => (i % 7) / 100) }] };
    const [values] = await expectBytes(app, '/v2/models/diabetes/infer', regression, diabetes);
    expect(values).toMatchObject({ datatype: 'FP64', shape: [2] });
    const none = await app.request('/v2/models/iris/infer', postJson({ ...matrix, outputs: [] }));
    expect(await none.text()).toBe(JSON.stringify({ model_name: 'iris', model_version: iris.version, outputs: [] }));
  });
});
