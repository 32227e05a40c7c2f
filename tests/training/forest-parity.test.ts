/**
 * On each example data set, over 5 seeds (the split's and the forest's), with the same train and
 * holdout files and the same parameters, our forest's mean holdout accuracy is within 1 point of
 * scikit-learn's RandomForestClassifier and its mean R² within 0.03 of RandomForestRegressor's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../training/spec.ts';
import { seededSplit } from '../../training/split.ts';
import { trainModel } from '../../training/train-model.ts';
import { EXAMPLES, REPO, modelDir, tempDir } from '../helpers/temp.ts';
import { DEBIAN_PYTHON, requireTool, sklearnAvailable } from '../helpers/tools.ts';

/** The project's own scikit-learn reference (bench/reference/sklearn_forest.py). */
const SKLEARN_FOREST = path.join(REPO, 'bench/reference/sklearn_forest.py');
const SEEDS = [0, 1, 2, 3, 4];

describe('random forest parity with scikit-learn on the example data sets (means over 5 seeds)', () => {
  if (!requireTool(sklearnAvailable(), 'scikit-learn (Debian python3-sklearn)', 'apt-get install -y python3-sklearn')) return;
  const root = tempDir();

  for (const name of EXAMPLES) {
    it(name, { timeout: 120_000 }, async () => {
      const example = await loadSpec(path.join(REPO, 'models', name));
      const { spec } = example;
      const [header, ...rows] = readFileSync(path.join(example.dir, spec.data), 'utf8').trim().split('\n');
      const csv = (idx: Int32Array) => `${[header, ...Array.from(idx, (i) => rows[i])].join('\n')}\n`;
      const ours: number[] = [];
      const theirs: number[] = [];
      for (const seed of SEEDS) {
        const split = seededSplit(rows.length, 0.2, seed);
        const dir = modelDir(root, `${name}-${seed}`, {
          'train.csv': csv(split.train),
          'holdout.csv': csv(split.holdout),
          'model.yaml': `task: ${spec.task}\nalgorithm: random-forest\ndata: train.csv\nholdout: holdout.csv\ntarget: ${spec.target}\nparams: { nEstimators: 100, seed: ${seed} }\n`,
        });
        const artifact = (await trainModel(await loadSpec(dir), { threads: 1 })).artifact;
        // Both sides at their forest defaults: trees grown out (min_samples_split 2 = minNumSamples 1), √ or all features.
        const out = execFileSync(
          DEBIAN_PYTHON,
          [SKLEARN_FOREST, path.join(dir, 'train.csv'), spec.target, '--holdout', path.join(dir, 'holdout.csv'), '--task', spec.task, '--n-estimators', '100', '--seed', String(seed), '--n-jobs', '1'],
          { encoding: 'utf8' },
        );
        const sk = JSON.parse(out) as { holdoutRows: number; accuracy?: number; r2?: number };
        expect(sk.holdoutRows).toBe(split.holdout.length);
        ours.push(artifact.task === 'classification' ? artifact.metrics.accuracy : artifact.metrics.r2);
        theirs.push(spec.task === 'classification' ? sk.accuracy! : sk.r2!);
      }
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const gap = mean(theirs) - mean(ours);
      expect(gap, `ours ${ours.map((v) => v.toFixed(4)).join(' ')} vs scikit-learn ${theirs.map((v) => v.toFixed(4)).join(' ')}`).toBeLessThanOrEqual(spec.task === 'classification' ? 0.01 : 0.03);
    });
  }
});
