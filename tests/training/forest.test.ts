import path from 'node:path';
import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { parseArtifact } from '../../training/artifact.ts';
import { predictClasses, predictValues } from '../../training/cart/tree.ts';
import { loadCsv } from '../../training/csv.ts';
import { encodeTable } from '../../training/encoding.ts';
import { SpecError } from '../../training/errors.ts';
import { resolveForestOptions } from '../../training/forest/params.ts';
import { forestClasses, forestMeans, hardVote } from '../../training/forest/predict.ts';
import { trainForest } from '../../training/forest/train.ts';
import { loadModel } from '../../training/model.ts';
import { loadSpec, parseSpec } from '../../training/spec.ts';
import { seededRandom } from '../../training/split.ts';
import { allRows } from '../../training/table.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO } from '../helpers/temp.ts';

/** Every example, trained as a random forest of 100 trees (whatever algorithm its spec names). */
async function forestOf(name: string, threads: number, params: Record<string, unknown> = {}) {
  const loaded = await loadSpec(path.join(REPO, 'models', name));
  loaded.spec.algorithm = 'random-forest';
  loaded.spec.params = { ...loaded.spec.params, ...params };
  return trainModel(loaded, { threads });
}

async function exampleRows(name: string, model: ReturnType<typeof loadModel>) {
  const loaded = await loadSpec(path.join(REPO, 'models', name));
  const table = await loadCsv(path.join(REPO, 'models', name, loaded.spec.data), { columns: (h) => h.map((n) => ({ name: n })) });
  const x = encodeTable(model.encoding, table, allRows(table.rowCount));
  const w = model.encoding.width;
  return { x, w, rows: Array.from({ length: table.rowCount }, (_, r) => Array.from(x.subarray(r * w, r * w + w))) };
}

describe('random forest artifacts', () => {
  for (const name of EXAMPLES) {
    it(`${name}: byte-identical with 1 and 2 threads; ml-cart reads each tree and ml-random-forest the forest, predicting as our trees do on every row`, { timeout: 60_000 }, async () => {
      const one = await forestOf(name, 1);
      const two = await forestOf(name, 2);
      expect(two.bytes.equals(one.bytes)).toBe(true);
      const artifact = parseArtifact(one.bytes, 'model.json');
      if (artifact.algorithm !== 'random-forest') throw new Error('a forest');
      expect(artifact.lineage.trainer).toBe('mlship-forest/1');
      const model = loadModel(artifact);
      expect(model.trees).toHaveLength(100);
      const { x, w, rows } = await exampleRows(name, model);
      expect(rows.length).toBeGreaterThan(100);
      const json = JSON.parse(JSON.stringify(artifact.model)) as typeof artifact.model;
      if (artifact.task === 'classification') {
        json.baseModel.estimators.forEach((tree, t) => expect(DecisionTreeClassifier.load(tree).predict(rows)).toEqual(Array.from(predictClasses(model.trees[t]!, x, w))));
        expect(RandomForestClassifier.load(json as never).predict(rows)).toEqual(Array.from(hardVote(model.trees, x, w)));
      } else {
        json.baseModel.estimators.forEach((tree, t) => expect(DecisionTreeRegression.load(tree).predict(rows)).toEqual(Array.from(predictValues(model.trees[t]!, x, w))));
        expect(RandomForestRegression.load(json as never).predict(rows)).toEqual(Array.from(forestMeans(model.trees, x, w)));
      }
    });
  }

  it('records the out-of-bag score beside the holdout metrics, and importances that sum to 1', async () => {
    const { artifact } = await forestOf('wine', 1);
    if (artifact.algorithm !== 'random-forest' || artifact.task !== 'classification') throw new Error('a forest classifier');
    expect(artifact.metrics.oobAccuracy).toBeGreaterThan(0.9);
    expect(artifact.metrics.oobAccuracy).toBeLessThanOrEqual(1);
    expect(Object.keys(artifact.importances).sort()).toEqual(artifact.features.map((f) => f.name).sort());
    expect(Object.values(artifact.importances).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const { artifact: noBag } = await forestOf('wine', 1, { bootstrap: false, nEstimators: 5 });
    expect(noBag.metrics).not.toHaveProperty('oobAccuracy');
    const { artifact: regression } = await forestOf('diabetes', 1);
    expect(regression.metrics).toHaveProperty('oobR2');
  });

  it('predicts classes by the mean of the trees’ distributions (scikit-learn), not by their vote', async () => {
    const { artifact } = await forestOf('iris', 1);
    const model = loadModel(artifact);
    const { x, w } = await exampleRows('iris', model);
    const means = forestMeans(model.trees, x, w);
    const classes = forestClasses(model.trees, x, w);
    for (let r = 0; r < classes.length; r++) {
      const p = Array.from(means.subarray(r * 3, r * 3 + 3));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(classes[r]).toBe(p.indexOf(Math.max(...p)));
    }
  });
});

describe('random forest training', () => {
  function data(rows: number, width: number, seed: number) {
    const random = seededRandom(seed);
    const x = new Float64Array(rows * width);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < width; f++) x[r * width + f] = Math.floor(random() * 100);
      y[r] = x[r * width]! + x[r * width + 1]! > 100 ? 1 : 0;
    }
    return { x, target: { kind: 'classification' as const, classes: y, classCount: 2 } };
  }

  it('samples features at every split, not once per tree', async () => {
    const { x, target } = data(2000, 4, 1);
    const forest = await trainForest(x, 4, target, { nEstimators: 10, maxFeatures: 1, maxDepth: 6 }, { threads: 1 });
    for (const tree of forest.trees) expect(new Set(Array.from(tree.feature).filter((f) => f >= 0)).size).toBeGreaterThan(1);
  });

  it('gives the same trees with exact and histogram splits when every feature has few distinct values (thresholds may differ between rows of a node)', async () => {
    const { x, target } = data(3000, 3, 2);
    const exact = await trainForest(x, 3, target, { nEstimators: 6, splitter: 'exact' }, { threads: 2 });
    const hist = await trainForest(x, 3, target, { nEstimators: 6, splitter: 'histogram' }, { threads: 1 });
    exact.trees.forEach((tree, t) => {
      expect(Array.from(hist.trees[t]!.feature)).toEqual(Array.from(tree.feature));
      expect(Array.from(hist.trees[t]!.samples)).toEqual(Array.from(tree.samples));
      expect(Array.from(hist.trees[t]!.values)).toEqual(Array.from(tree.values));
    });
  });

  it('resolves maxFeatures and maxSamples as scikit-learn does', () => {
    expect(resolveForestOptions({}, 'classification', 100, 13)).toMatchObject({ maxFeatures: 3, nEstimators: 100, bootstrap: true, maxSamples: 100, minNumSamples: 1, gainThreshold: 0 });
    expect(resolveForestOptions({}, 'regression', 100, 13).maxFeatures).toBe(13);
    expect(resolveForestOptions({ maxFeatures: 'log2' }, 'regression', 100, 13).maxFeatures).toBe(3);
    expect(resolveForestOptions({ maxFeatures: 0.5, maxSamples: 0.25 }, 'regression', 100, 13)).toMatchObject({ maxFeatures: 6, maxSamples: 25 });
    expect(resolveForestOptions({ maxFeatures: 40, maxSamples: 500 }, 'regression', 100, 13)).toMatchObject({ maxFeatures: 13, maxSamples: 100 });
  });

  it('refuses forest parameters for cart, and maxSamples without bootstrap, naming the field', () => {
    const spec = (algorithm: string, params: string) => `task: classification\nalgorithm: ${algorithm}\ndata: d.csv\ntarget: y\nparams: ${params}\n`;
    expect(parseSpec(spec('random-forest', '{ nEstimators: 10, maxFeatures: sqrt, seed: 3 }'), 'model.yaml').params).toMatchObject({ nEstimators: 10 });
    expect(() => parseSpec(spec('cart', '{ nEstimators: 10 }'), 'model.yaml')).toThrow(SpecError);
    expect(() => parseSpec(spec('cart', '{ nEstimators: 10 }'), 'model.yaml')).toThrow(/"nEstimators" is a random-forest parameter/);
    expect(() => parseSpec(spec('random-forest', '{ bootstrap: false, maxSamples: 0.5 }'), 'model.yaml')).toThrow(/needs bootstrap: true/);
    expect(() => parseSpec(spec('random-forest', '{ maxFeatures: 0 }'), 'model.yaml')).toThrow(SpecError);
  });
});
