/**
 * On each example data set, with the same train and holdout files and the same depth, our holdout
 * accuracy is at most 2 misclassified rows below scikit-learn's and our RMSE at most 5% above.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../training/spec.ts';
import { seededSplit } from '../../training/split.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO, modelDir, tempDir } from '../helpers/temp.ts';
import { DEBIAN_PYTHON, requireTool, sklearnAvailable } from '../helpers/tools.ts';

/** The project's own scikit-learn reference (bench/reference/sklearn_cart.py). */
const SKLEARN_CART = path.join(REPO, 'bench/reference/sklearn_cart.py');

describe('accuracy parity with scikit-learn on the example data sets', () => {
  if (!requireTool(sklearnAvailable(), 'scikit-learn (Debian python3-sklearn)', 'apt-get install -y python3-sklearn')) return;
  const root = tempDir();

  for (const name of EXAMPLES) {
    it(name, async () => {
      const example = await loadSpec(path.join(REPO, 'models', name));
      const { spec } = example;
      const [header, ...rows] = readFileSync(path.join(example.dir, spec.data), 'utf8').trim().split('\n');
      const split = seededSplit(rows.length, 0.2, 42);
      const csv = (idx: Int32Array) => `${[header, ...Array.from(idx, (i) => rows[i])].join('\n')}\n`;
      const params = { maxDepth: spec.params.maxDepth ?? 10, minNumSamples: spec.params.minNumSamples ?? 3 };
      const dir = modelDir(root, name, {
        'train.csv': csv(split.train),
        'holdout.csv': csv(split.holdout),
        'model.yaml': `task: ${spec.task}\nalgorithm: cart\ndata: train.csv\nholdout: holdout.csv\ntarget: ${spec.target}\nparams: { maxDepth: ${params.maxDepth}, minNumSamples: ${params.minNumSamples} }\n`,
      });
      const ours = (await trainModel(await loadSpec(dir), {})).artifact;
      // ml-cart's "leaf at ≤ minNumSamples rows" is scikit-learn's min_samples_split = minNumSamples + 1.
      const out = execFileSync(
        DEBIAN_PYTHON,
        [SKLEARN_CART, path.join(dir, 'train.csv'), spec.target, '--holdout', path.join(dir, 'holdout.csv'), '--task', spec.task,
          '--max-depth', String(params.maxDepth), '--min-samples-split', String(params.minNumSamples + 1)],
        { encoding: 'utf8' },
      );
      const sk = JSON.parse(out) as { holdoutRows: number; accuracy?: number; rmse?: number };
      expect(sk.holdoutRows).toBe(split.holdout.length);
      if (ours.task === 'classification') {
        const missesOurs = Math.round((1 - ours.metrics.accuracy) * sk.holdoutRows);
        const missesSk = Math.round((1 - sk.accuracy!) * sk.holdoutRows);
        expect(missesOurs - missesSk).toBeLessThanOrEqual(2);
      } else {
        expect(ours.metrics.rmse).toBeLessThanOrEqual(sk.rmse! * 1.05);
      }
      writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ ours: ours.metrics, sklearn: sk }));
    });
  }
});
