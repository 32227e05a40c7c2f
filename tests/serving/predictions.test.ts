// Served predictions equal the training code's (predictClasses / predictValues) and ml-cart's own
// `load` + `predict`, on every row of every example data set, through the compiled predictor and
// through each API input form (v1 objects, v1 arrays, CSV, v2 tensors per feature, v2 matrix).
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServingApp } from '../../serving/app.ts';
import { predictClasses, predictValues } from '../../training/cart/tree.ts';
import { loadCsv } from '../../training/csv.ts';
import { encodeTable } from '../../training/encoding.ts';
import { forestClasses, forestValues } from '../../training/forest/predict.ts';
import { loadModel } from '../../training/model.ts';
import type { RawValue, Table } from '../../training/table.ts';
import { allRows, cellValue } from '../../training/table.ts';
import { createApp } from '../../serving/app.ts';
import { createLogger } from '../../serving/log.ts';
import type { ServedModel } from '../../serving/model.ts';
import { stateWith } from '../../serving/state.ts';
import type { Artifact } from '../../training/artifact.ts';
import { EXAMPLES, exampleApp, postCsv, postJson, ROOT, servedExamples, trainedExamples, trainedMixed } from './helpers.ts';

interface Case {
  model: ServedModel;
  /** The trained artifact, trees included (a served model keeps them compiled only). */
  artifact: Artifact;
  table: Table;
  x: Float64Array;
  /** Expected answers: class names or values, one per row of the data set. */
  expected: (string | number)[];
}

let app: ServingApp;
const cases = new Map<string, Case>();

function rawRows(model: ServedModel, table: Table): RawValue[][] {
  const columns = model.featureNames.map((n) => table.columns.get(n)!);
  return Array.from({ length: table.rowCount }, (_, r) => columns.map((c) => cellValue(c, r)));
}

beforeAll(async () => {
  ({ app } = await exampleApp());
  const trained = await trainedExamples();
  for (const model of await servedExamples()) {
    const artifact = trained.get(model.name)!.artifact;
    const file = path.join(ROOT, 'models', model.name, model.artifact.lineage.data.file);
    const table = await loadCsv(file, { columns: () => model.features.map((f) => ({ name: f.name, type: f.type })) });
    const x = encodeTable(model.predictor.encoding, table, allRows(table.rowCount));
    const loaded = loadModel(artifact);
    const width = model.predictor.width;
    const forest = model.artifact.algorithm === 'random-forest';
    const expected =
      model.artifact.task === 'classification'
        ? Array.from(forest ? forestClasses(loaded.trees, x, width) : predictClasses(loaded.tree, x, width), (k) => model.predictor.classes[k]!)
        : Array.from(forest ? forestValues(loaded.trees, x, width) : predictValues(loaded.tree, x, width));
    cases.set(model.name, { model, artifact, table, x, expected });
  }
});

describe.each(EXAMPLES)('%s', (name) => {
  it('the compiled predictor equals predictClasses/predictValues and ml-cart load+predict on every row', () => {
    const { model, artifact, x, expected } = cases.get(name)!;
    const rows = x.length / model.predictor.width;
    const p = model.predictor;
    const matrix = Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * p.width, (r + 1) * p.width)));
    if (p.task === 'classification') {
      const ours = Array.from(p.classify(x, rows), (k) => p.classes[k]!);
      expect(ours).toEqual(expected);
      // (A forest's agreement with ml-random-forest is checked in tests/training/forest.test.ts.)
      if (artifact.algorithm === 'cart') {
        const mlCart = DecisionTreeClassifier.load(artifact.model).predict(matrix);
        expect(ours).toEqual(mlCart.map((k) => p.classes[k]!));
      }
      // probabilities: the leaf distribution, rows sum to 1, argmax is the prediction
      const probs = p.probabilities(x, rows);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(probs.subarray(r * p.classes.length, (r + 1) * p.classes.length));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(p.classes[row.indexOf(Math.max(...row))]).toBe(ours[r]);
      }
    } else {
      const ours = Array.from(p.regress(x, rows));
      expect(ours).toEqual(expected);
      if (artifact.algorithm === 'cart') expect(ours).toEqual(DecisionTreeRegression.load(artifact.model).predict(matrix));
    }
    expect(rows).toBeGreaterThan(100);
  });

  it('v1 instances as objects and as arrays', async () => {
    const { model, table, expected } = cases.get(name)!;
    const rows = rawRows(model, table);
    const objects = rows.map((row) => Object.fromEntries(model.featureNames.map((n, i) => [n, row[i]])));
    for (const instances of [objects, rows]) {
      const res = await app.request(`/v1/models/${name}:predict`, postJson({ instances }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { predictions: unknown[] }).predictions).toEqual(expected);
    }
  });

  it('CSV in, CSV out (columns in another order)', async () => {
    const { model, table, expected } = cases.get(name)!;
    const rows = rawRows(model, table);
    const order = [...model.featureNames.keys()].reverse();
    const csv = [order.map((i) => model.featureNames[i]).join(','), ...rows.map((row) => order.map((i) => row[i]).join(','))].join('\r\n');
    const res = await app.request(`/v1/models/${name}:predict`, postCsv(csv));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('prediction');
    expect(lines.slice(1).map((l) => (model.artifact.task === 'classification' ? l : Number(l)))).toEqual(expected);
  });

  it('v2 with one tensor per feature and with one [rows, features] tensor', async () => {
    const { model, table, expected } = cases.get(name)!;
    const rows = rawRows(model, table);
    const perFeature = model.featureNames.map((n, i) => ({ name: n, datatype: 'FP64', shape: [rows.length], data: rows.map((row) => row[i]) }));
    const matrix = [{ name: 'input', datatype: 'FP64', shape: [rows.length, model.featureNames.length], data: rows.flat() }];
    const nested = [{ name: 'input', datatype: 'FP64', shape: [rows.length, model.featureNames.length], data: rows }];
    for (const inputs of [perFeature, matrix, nested]) {
      const res = await app.request(`/v2/models/${name}/infer`, postJson({ id: 'x1', inputs }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { model_name: string; model_version: string; id: string; outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
      expect(body).toMatchObject({ model_name: name, model_version: model.version, id: 'x1' });
      expect(body.outputs).toHaveLength(1);
      expect(body.outputs[0]).toMatchObject({
        name: 'predictions',
        datatype: model.artifact.task === 'classification' ? 'BYTES' : 'FP64',
        shape: [rows.length],
      });
      expect(body.outputs[0]!.data).toEqual(expected);
    }
  });
});

describe('a model with category, boolean and missing values', () => {
  it('serves what predictTable-style encoding + predictClasses gives, on every training row, via v1, CSV and v2', async () => {
    const { result, model, csv } = await trainedMixed();
    const mixedApp = createApp({ state: stateWith([model]), logger: createLogger(() => undefined) });
    const file = path.join(tmpdir(), `mixed-${process.pid}.csv`);
    await writeFile(file, csv);
    const table = await loadCsv(file, { columns: () => model.features.map((f) => ({ name: f.name, type: f.type })) });
    const x = encodeTable(model.predictor.encoding, table, allRows(table.rowCount));
    const expected = Array.from(predictClasses(loadModel(result.artifact).tree, x, model.predictor.width), (k) => model.predictor.classes[k]!);
    expect(new Set(expected).size).toBeGreaterThan(2);
    const rows = rawRows(model, table);
    expect(rows.some((r) => r.includes(null))).toBe(true);

    const v1 = await mixedApp.request('/v1/models/mixed:predict', postJson({ instances: rows }));
    expect(((await v1.json()) as { predictions: string[] }).predictions).toEqual(expected);

    const csvBody = (await readFile(file, 'utf8')).split('\n').map((l) => l.split(',').slice(0, 3).join(',')).join('\n');
    const viaCsv = await mixedApp.request('/v1/models/mixed:predict', postCsv(csvBody));
    expect(viaCsv.status).toBe(200);
    expect((await viaCsv.text()).trimEnd().split('\n').slice(1)).toEqual(expected);

    const types = { number: 'FP64', boolean: 'BOOL', category: 'BYTES' } as const;
    const inputs = model.features.map((f, i) => ({ name: f.name, datatype: types[f.type], shape: [rows.length, 1], data: rows.map((r) => [r[i]]) }));
    const v2 = await mixedApp.request('/v2/models/mixed/infer', postJson({ inputs }));
    expect(v2.status).toBe(200);
    expect(((await v2.json()) as { outputs: { data: string[] }[] }).outputs[0]!.data).toEqual(expected);

    // An unseen category encodes as "none of the known categories", like a missing one.
    const unseen = await mixedApp.request('/v1/models/mixed:predict', postJson({ instances: [{ color: 'purple', member: true, size: 2 }, { color: null, member: true, size: 2 }] }));
    const [a, b] = ((await unseen.json()) as { predictions: string[] }).predictions;
    expect(a).toBe(b);
  });
});

describe('bounded probabilities (issue 16 item 5)', () => {
  it('rows × classes over maxOutputCells is a 413 that says so, on v1 JSON, v1 CSV and v2; within it, 200', async () => {
    const { app: small } = await exampleApp({ maxOutputCells: 10 }); // iris: 3 classes, so 3 rows fit and 4 do not
    const rows = (n: number) => Array.from({ length: n }, () => [5.1, 3.5, 1.4, 0.2]);
    const csv = (n: number) => `sepal_length,sepal_width,petal_length,petal_width\n${rows(n).map((r) => r.join(',')).join('\n')}\n`;
    const v2 = (n: number) => ({ inputs: [{ name: 'x', shape: [n, 4], datatype: 'FP64', data: rows(n).flat() }], outputs: [{ name: 'probabilities' }] });
    for (const [what, send] of [
      ['v1 JSON', (n: number) => small.request('/v1/models/iris:predict', postJson({ instances: rows(n), parameters: { probabilities: true } }))],
      ['v1 CSV', (n: number) => small.request('/v1/models/iris:predict?probabilities=true', postCsv(csv(n)))],
      ['v2', (n: number) => small.request('/v2/models/iris/infer', postJson(v2(n)))],
    ] as const) {
      const refused = await send(4);
      expect(refused.status, what).toBe(413);
      expect(await refused.json(), what).toMatchObject({ error: expect.stringMatching(/too many probabilities for one answer: 4 rows × 3 classes = 12 \(the limit is 10\); send at most 3 rows/), rows: 4, classes: 3, limit: 10 });
      expect((await send(3)).status, what).toBe(200);
    }
    // without probabilities the same rows are fine
    expect((await small.request('/v1/models/iris:predict', postJson({ instances: rows(4) }))).status).toBe(200);
  });
});
