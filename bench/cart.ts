/**
 * Training benchmark, every figure measured in this run:
 * 1. our CART vs ml-cart's own `train` at 4,000 rows × 8 features (the size ml-cart finishes in seconds);
 * 2. our CART vs scikit-learn (bench/reference/sklearn_cart.py) at 100,000 and 1,000,000 rows × 8
 *    features, depth 10, on the same train and holdout CSV files: fit time, holdout accuracy, peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecisionTreeClassifier } from 'ml-cart';
import { trainCart } from '../training/cart/train.ts';
import { predictClasses } from '../training/cart/tree.ts';
import { SYNTHETIC_FEATURES, syntheticClassification, writeCsv } from './synthetic.ts';
import { median } from './stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SKLEARN = path.join(here, 'reference/sklearn_cart.py');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-sklearn
const DEPTH = 10;
const MIN_NUM_SAMPLES = 3; // ml-cart's default; scikit-learn's equivalent is min_samples_split = 4
const ML_CART_GAIN_THRESHOLD = 0.01; // ml-cart's default, no longer ours (0, as scikit-learn): set so both grow the same tree

export interface CartBenchResult {
  mlCart: { rows: number; oursMs: number; oursFirstMs: number; mlCartMs: number; ratio: number; oursAccuracy: number; mlCartAccuracy: number };
  sklearn: { rows: number; oursMs: number; sklearnMs: number; ratio: number; oursAccuracy: number; sklearnAccuracy: number; oursMaxRssMB: number; sklearnMaxRssMB: number; splitter: string }[];
}

function accuracy(pred: ArrayLike<number>, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

export function benchVsMlCart(rows = 4000): CartBenchResult['mlCart'] {
  const f = SYNTHETIC_FEATURES;
  const all = syntheticClassification(rows + 1000, 7);
  const x = all.x.subarray(0, rows * f);
  const y = all.y.subarray(0, rows);
  const hx = all.x.subarray(rows * f);
  const hy = all.y.subarray(rows);
  const target = { kind: 'classification' as const, classes: y, classCount: 3 };
  const times: number[] = [];
  let model = trainCart(x, f, target, { maxDepth: DEPTH, minNumSamples: MIN_NUM_SAMPLES, gainThreshold: ML_CART_GAIN_THRESHOLD });
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    model = trainCart(x, f, target, { maxDepth: DEPTH, minNumSamples: MIN_NUM_SAMPLES, gainThreshold: ML_CART_GAIN_THRESHOLD });
    times.push(performance.now() - t);
  }
  const first = times[0]!;
  const asRows = (m: Float64Array) => Array.from({ length: m.length / f }, (_, r) => Array.from(m.subarray(r * f, r * f + f)));
  const ml = new DecisionTreeClassifier({ maxDepth: DEPTH, minNumSamples: MIN_NUM_SAMPLES });
  const t = performance.now();
  ml.train(asRows(x), Array.from(y));
  const mlCartMs = performance.now() - t;
  const oursMs = median(times);
  return {
    rows,
    oursMs,
    oursFirstMs: first,
    mlCartMs,
    ratio: mlCartMs / oursMs,
    oursAccuracy: accuracy(predictClasses(model.tree, hx, f), hy),
    mlCartAccuracy: accuracy(ml.predict(asRows(hx)), hy),
  };
}

export async function benchVsSklearn(rows: number, repeats = 2): Promise<CartBenchResult['sklearn'][number]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-'));
  try {
    const holdoutRows = Math.min(200_000, Math.round(rows / 4));
    const data = syntheticClassification(rows + holdoutRows, 11);
    const model = path.join(dir, 'synthetic');
    mkdirSync(model);
    await writeCsv(data, path.join(model, 'train.csv'), 0, rows);
    await writeCsv(data, path.join(model, 'holdout.csv'), rows, rows + holdoutRows);
    writeFileSync(
      path.join(model, 'model.yaml'),
      `task: classification\nalgorithm: cart\ndata: train.csv\nholdout: holdout.csv\ntarget: label\nparams: { maxDepth: ${DEPTH}, minNumSamples: ${MIN_NUM_SAMPLES}, gainThreshold: 0 }\n`,
    );
    const ours = [];
    const sk = [];
    for (let i = 0; i < repeats; i++) {
      ours.push(JSON.parse(execFileSync(process.execPath, [path.join(here, 'train-child.ts'), model], { encoding: 'utf8' })));
      sk.push(sklearnRun(model));
    }
    const best = <T extends { ms: number }>(runs: T[]) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const o = best(ours.map((r) => ({ ...r, ms: r.trainMs as number })));
    const s = best(sk);
    return {
      rows,
      oursMs: o.ms,
      sklearnMs: s.ms,
      ratio: o.ms / s.ms,
      oursAccuracy: o.metrics.accuracy,
      sklearnAccuracy: s.accuracy,
      oursMaxRssMB: Math.max(...ours.map((r) => r.maxRssMB as number)),
      sklearnMaxRssMB: Math.max(...sk.map((r) => r.maxRssMB)),
      splitter: o.splitter,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sklearnRun(model: string): { ms: number; accuracy: number; maxRssMB: number } {
  // Run the reference script unchanged, then report the process's peak RSS (ru_maxrss is in KiB).
  const wrapper = [
    'import resource, runpy, sys',
    `sys.argv = ${JSON.stringify([SKLEARN, path.join(model, 'train.csv'), 'label', '--holdout', path.join(model, 'holdout.csv'), '--max-depth', String(DEPTH), '--min-samples-split', String(MIN_NUM_SAMPLES + 1)])}`,
    `runpy.run_path(${JSON.stringify(SKLEARN)}, run_name='__main__')`,
    'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
  ].join('\n');
  const [json, rss] = execFileSync(PYTHON, ['-c', wrapper], { encoding: 'utf8' }).trim().split('\n');
  const out = JSON.parse(json!);
  return { ms: out.trainMs, accuracy: out.accuracy, maxRssMB: Number(rss) / 1024 };
}

export function sklearnAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function benchCart(log: (line: string) => void): Promise<CartBenchResult> {
  log('## Training: CART');
  const m = benchVsMlCart();
  log(
    `vs ml-cart train, ${m.rows} rows × ${SYNTHETIC_FEATURES} features, depth ${DEPTH}: ours ${m.oursMs.toFixed(1)} ms (median of 7; first ${m.oursFirstMs.toFixed(1)} ms), ml-cart ${m.mlCartMs.toFixed(0)} ms → ${m.ratio.toFixed(0)}× faster; holdout accuracy ours ${m.oursAccuracy.toFixed(4)}, ml-cart ${m.mlCartAccuracy.toFixed(4)}`,
  );
  const sklearn: CartBenchResult['sklearn'] = [];
  if (!sklearnAvailable()) {
    log('scikit-learn comparison skipped: /usr/bin/python3 with sklearn not found (apt-get install python3-sklearn)');
  } else {
    for (const rows of [100_000, 1_000_000]) {
      const r = await benchVsSklearn(rows);
      sklearn.push(r);
      log(
        `vs scikit-learn, ${rows.toLocaleString('en-US')} rows × ${SYNTHETIC_FEATURES}, depth ${DEPTH} (${r.splitter} splits): fit ours ${r.oursMs.toFixed(0)} ms, sklearn ${r.sklearnMs.toFixed(0)} ms → ours takes ${r.ratio.toFixed(2)}× sklearn's time; holdout accuracy ours ${(r.oursAccuracy * 100).toFixed(2)}%, sklearn ${(r.sklearnAccuracy * 100).toFixed(2)}%; peak RSS ours ${r.oursMaxRssMB.toFixed(0)} MB, sklearn ${r.sklearnMaxRssMB.toFixed(0)} MB`,
      );
    }
  }
  return { mlCart: m, sklearn };
}
