// A forest's compiled predictor answers exactly what training predicts (the mean of the trees'
// leaf distributions or values), on every row of every example data set.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePredictor } from '../../serving/compile-predictor.ts';
import { loadCsv } from '../../training/csv.ts';
import { encodeTable } from '../../training/encoding.ts';
import { forestClasses, forestMeans } from '../../training/forest/predict.ts';
import { loadModel } from '../../training/model.ts';
import { loadSpec } from '../../training/spec.ts';
import { allRows } from '../../training/table.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO } from '../helpers/temp.ts';

describe.each(EXAMPLES)('%s as a random forest', (name) => {
  it('the compiled predictor equals training’s predictions and probabilities on every row', async () => {
    const loaded = await loadSpec(path.join(REPO, 'models', name));
    loaded.spec.algorithm = 'random-forest';
    loaded.spec.params = { ...loaded.spec.params, nEstimators: 30 };
    const { artifact } = await trainModel(loaded, { threads: 1 });
    const predictor = compilePredictor(artifact);
    const model = loadModel(artifact);
    const table = await loadCsv(path.join(REPO, 'models', name, loaded.spec.data), { columns: (h) => h.map((n) => ({ name: n })) });
    const x = encodeTable(model.encoding, table, allRows(table.rowCount));
    const rows = table.rowCount;
    expect(predictor.nodeCount).toBe(model.trees.reduce((n, t) => n + t.nodeCount, 0));
    const means = Array.from(forestMeans(model.trees, x, predictor.width));
    if (artifact.task === 'classification') {
      expect(Array.from(predictor.classify(x, rows))).toEqual(Array.from(forestClasses(model.trees, x, predictor.width)));
      expect(Array.from(predictor.probabilities(x, rows))).toEqual(means);
      expect(new Set(means).size).toBeGreaterThan(predictor.classes.length); // probabilities, not 0/1 votes
    } else {
      expect(Array.from(predictor.regress(x, rows))).toEqual(means);
    }
    expect(rows).toBeGreaterThan(100);
  });
});
