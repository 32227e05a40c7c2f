/**
 * Random forest benchmark, every figure measured in this run against scikit-learn's
 * RandomForestClassifier / RandomForestRegressor (bench/reference/sklearn_forest.py, n_jobs=-1),
 * with the same n_estimators, max_depth, max_features, bootstrap and out-of-bag scoring:
 *
 * 1. fit time, holdout accuracy and peak RSS at 100,000 and 1,000,000 rows × 8 features
 *    (bench/synthetic.ts), 100 trees of depth 10, √features per split, each side in a fresh process;
 * 2. holdout accuracy / R² on the example data sets, means over 5 seeds (split and forest);
 * 3. prediction: one row and the whole holdout through the 100,000-row forest, in process, against
 *    sklearn's `predict` on the same holdout;
 * 4. over HTTP (wrk, one `mlship serve`): single-row req/s of that forest against a single tree of
 *    depth 10 on the same data, and one CSV request of the whole holdout (rows/s).
 *
 * `node bench/run.ts --only forest` runs it alone; `--rows 100000` limits part 1 while iterating.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, uptime, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishArtifacts } from '../registry/publish.ts';
import { FileStore } from '../registry/store/index.ts';
import { compilePredictor } from '../serving/compile-predictor.ts';
import { loadCsv } from '../training/csv.ts';
import { encodeTable } from '../training/encoding.ts';
import { loadSpec } from '../training/spec.ts';
import { seededSplit } from '../training/split.ts';
import { allRows } from '../training/table.ts';
import { trainModel } from '../training/train-model.ts';
import { sklearnAvailable } from './cart.ts';
import { CURL, freePort, has, pinning, runWrk, startProcess, waitUntil, WRK, wrkPostScript } from './serving/harness.ts';
import type { Child } from './serving/harness.ts';
import { median } from './stats.ts';
import { SYNTHETIC_FEATURES, syntheticClassification, writeCsv } from './synthetic.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const SKLEARN = path.join(here, 'reference/sklearn_forest.py');
const PYTHON = '/usr/bin/python3';
const TREES = 100;
const DEPTH = 10;
const SEEDS = [0, 1, 2, 3, 4];
const EXAMPLES = ['iris', 'wine', 'diabetes'] as const;

export interface ForestBenchResult {
  load: string;
  training: { rows: number; oursMs: number; sklearnMs: number; ratio: number; oursAccuracy: number; sklearnAccuracy: number; oursOob: number; sklearnOob: number; oursMaxRssMB: number; sklearnMaxRssMB: number; splitter: string }[];
  examples: { name: string; metric: string; ours: number; sklearn: number }[];
  prediction: { nodes: number; oursSingleRowUs: number; sklearnSingleRowUs: number; holdoutRows: number; oursBulkMs: number; sklearnBulkMs: number } | null;
  http: { treeReqPerS: number; forestReqPerS: number; ratio: number; csvRows: number; csvRowsPerS: number } | null;
}

const forestYaml = (extra = '') =>
  `task: classification\nalgorithm: random-forest\ndata: train.csv\nholdout: holdout.csv\ntarget: label\nparams: { nEstimators: ${TREES}, maxDepth: ${DEPTH}, maxFeatures: sqrt${extra} }\n`;

async function syntheticModel(dir: string, rows: number): Promise<string> {
  const holdoutRows = Math.min(200_000, Math.round(rows / 4));
  const data = syntheticClassification(rows + holdoutRows, 11);
  const model = path.join(dir, `synthetic-${rows}`);
  mkdirSync(model);
  await writeCsv(data, path.join(model, 'train.csv'), 0, rows);
  await writeCsv(data, path.join(model, 'holdout.csv'), rows, rows + holdoutRows);
  writeFileSync(path.join(model, 'model.yaml'), forestYaml());
  return model;
}

interface SklearnOut {
  trainMs: number;
  accuracy?: number;
  r2?: number;
  oobScore: number | null;
  singleRowMs?: number;
  bulkMs?: number;
  holdoutRows: number;
  maxRssMB: number;
}

function sklearn(args: string[]): SklearnOut {
  // The reference script unchanged, then the process's peak RSS (ru_maxrss, KiB; joblib's workers are threads).
  const wrapper = [
    'import resource, runpy, sys',
    `sys.argv = ${JSON.stringify([SKLEARN, ...args])}`,
    `runpy.run_path(${JSON.stringify(SKLEARN)}, run_name='__main__')`,
    'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
  ].join('\n');
  const [json, rss] = execFileSync(PYTHON, ['-c', wrapper], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
  return { ...JSON.parse(json!), maxRssMB: Number(rss) / 1024 };
}

const sklearnSynthetic = (model: string, extra: string[] = []) =>
  sklearn([path.join(model, 'train.csv'), 'label', '--holdout', path.join(model, 'holdout.csv'), '--n-estimators', String(TREES), '--max-depth', String(DEPTH), '--max-features', 'sqrt', '--n-jobs', '-1', '--oob', ...extra]);

async function benchTraining(dir: string, rows: number): Promise<ForestBenchResult['training'][number]> {
  const model = await syntheticModel(dir, rows);
  const ours = JSON.parse(execFileSync(process.execPath, [path.join(here, 'train-child.ts'), model], { encoding: 'utf8' }));
  const sk = sklearnSynthetic(model);
  return {
    rows,
    oursMs: ours.trainMs,
    sklearnMs: sk.trainMs,
    ratio: ours.trainMs / sk.trainMs,
    oursAccuracy: ours.metrics.accuracy,
    sklearnAccuracy: sk.accuracy!,
    oursOob: ours.metrics.oobAccuracy,
    sklearnOob: sk.oobScore!,
    oursMaxRssMB: ours.maxRssMB,
    sklearnMaxRssMB: sk.maxRssMB,
    splitter: ours.splitter,
  };
}

async function benchExamples(dir: string): Promise<ForestBenchResult['examples']> {
  const out: ForestBenchResult['examples'] = [];
  for (const name of EXAMPLES) {
    const example = await loadSpec(path.join(ROOT, 'models', name));
    const { spec } = example;
    const [header, ...lines] = readFileSync(path.join(example.dir, spec.data), 'utf8').trim().split('\n');
    const csv = (idx: Int32Array) => `${[header, ...Array.from(idx, (i) => lines[i])].join('\n')}\n`;
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const seed of SEEDS) {
      const split = seededSplit(lines.length, 0.2, seed);
      const model = path.join(dir, `${name}-${seed}`);
      mkdirSync(model);
      writeFileSync(path.join(model, 'train.csv'), csv(split.train));
      writeFileSync(path.join(model, 'holdout.csv'), csv(split.holdout));
      writeFileSync(path.join(model, 'model.yaml'), `task: ${spec.task}\nalgorithm: random-forest\ndata: train.csv\nholdout: holdout.csv\ntarget: ${spec.target}\nparams: { nEstimators: ${TREES}, seed: ${seed} }\n`);
      const { artifact } = await trainModel(await loadSpec(model), {});
      ours.push(artifact.task === 'classification' ? artifact.metrics.accuracy : artifact.metrics.r2);
      const sk = sklearn([path.join(model, 'train.csv'), spec.target, '--holdout', path.join(model, 'holdout.csv'), '--task', spec.task, '--n-estimators', String(TREES), '--seed', String(seed), '--n-jobs', '-1']);
      theirs.push(spec.task === 'classification' ? sk.accuracy! : sk.r2!);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    out.push({ name, metric: spec.task === 'classification' ? 'accuracy' : 'r2', ours: mean(ours), sklearn: mean(theirs) });
  }
  return out;
}

async function benchPrediction(model: string) {
  const result = await trainModel(await loadSpec(model), {});
  const predictor = compilePredictor(result.artifact);
  const table = await loadCsv(path.join(model, 'holdout.csv'), { columns: (h) => h.filter((n) => n !== 'label').map((name) => ({ name })) });
  const x = encodeTable(predictor.encoding, table, allRows(table.rowCount));
  const one = x.slice(0, predictor.width);
  for (let i = 0; i < 2000; i++) predictor.classify(one, 1); // warm-up
  const single: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t = performance.now();
    for (let i = 0; i < 10_000; i++) predictor.classify(one, 1);
    single.push(((performance.now() - t) / 10_000) * 1000);
  }
  const bulk: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    predictor.classify(x, table.rowCount);
    bulk.push(performance.now() - t);
  }
  const sk = sklearnSynthetic(model, ['--predict-timing']);
  return {
    bytes: result.bytes,
    prediction: { nodes: predictor.nodeCount, oursSingleRowUs: median(single), sklearnSingleRowUs: sk.singleRowMs! * 1000, holdoutRows: table.rowCount, oursBulkMs: median(bulk), sklearnBulkMs: sk.bulkMs! },
  };
}

async function benchHttp(dir: string, model: string, forestBytes: Buffer, log: (line: string) => void): Promise<ForestBenchResult['http']> {
  if (!has(WRK)) {
    log(`HTTP comparison skipped: ${WRK} not found (Debian package wrk)`);
    return null;
  }
  const treeDir = path.join(dir, 'tree');
  mkdirSync(treeDir);
  for (const f of ['train.csv', 'holdout.csv']) writeFileSync(path.join(treeDir, f), readFileSync(path.join(model, f)));
  writeFileSync(path.join(treeDir, 'model.yaml'), `task: classification\nalgorithm: cart\ndata: train.csv\nholdout: holdout.csv\ntarget: label\nparams: { maxDepth: ${DEPTH}, minNumSamples: 1, gainThreshold: 0 }\n`);
  const tree = await trainModel(await loadSpec(treeDir), {});
  const lockFile = path.join(dir, 'models.lock.json');
  const store = new FileStore(path.join(dir, 'store'));
  await publishArtifacts([{ bytes: tree.bytes, source: 'tree/model.json' }, { bytes: forestBytes, source: 'forest/model.json' }], { store, lockFile });
  const [header, first] = readFileSync(path.join(model, 'holdout.csv'), 'utf8').split('\n', 2);
  const names = header!.split(',').slice(0, SYNTHETIC_FEATURES);
  const values = first!.split(',').slice(0, SYNTHETIC_FEATURES).map(Number);
  const body = JSON.stringify({ instances: [Object.fromEntries(names.map((n, i) => [n, values[i]]))] });
  const script = wrkPostScript(path.join(dir, 'single.lua'), body, 'application/json');
  const pin = pinning();
  const port = await freePort();
  let child: Child | undefined;
  try {
    child = startProcess(pin.server, process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', lockFile, '--store', store.uri, '--port', String(port), '--host', '127.0.0.1'], {
      logFile: path.join(dir, 'serve.log'),
      env: { ...process.env, MLSHIP_WORKERS: '', MLSHIP_DRAIN_TIMEOUT: '3' },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${url}/v2/health/ready`)).status === 200, 60_000, 'mlship serve to become ready');
    const best = { tree: 0, forest: 0 };
    for (let round = 0; round < 3; round++) {
      for (const name of ['tree', 'forest'] as const) {
        const target = `${url}/v1/models/${name === 'tree' ? 'tree' : 'synthetic-100000'}:predict`;
        runWrk(pin.client, target, script, 16, 2);
        best[name] = Math.max(best[name], runWrk(pin.client, target, script, 16, 5).requestsPerSecond);
      }
    }
    const csvFile = path.join(dir, 'bulk.csv');
    writeFileSync(csvFile, readFileSync(path.join(model, 'holdout.csv'), 'utf8').replace(/,[^,\n]*$/gm, '')); // the features only
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const argv = [...pin.client, CURL, '-s', '-o', path.join(dir, 'bulk.out'), '-w', '%{http_code} %{time_total}', '-H', 'content-type: text/csv', '--data-binary', `@${csvFile}`, `${url}/v1/models/synthetic-100000:predict`];
      const [status, seconds] = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).trim().split(' ');
      if (status !== '200') throw new Error(`the bulk CSV request answered ${status}`);
      if (i > 0) times.push(Number(seconds) * 1000);
    }
    const csvRows = readFileSync(path.join(dir, 'bulk.out'), 'utf8').trimEnd().split('\n').length - 1;
    return { treeReqPerS: best.tree, forestReqPerS: best.forest, ratio: best.forest / best.tree, csvRows, csvRowsPerS: csvRows / (median(times) / 1000) };
  } finally {
    await child?.stop();
  }
}

export async function benchForest(log: (line: string) => void, options: { rows?: number[] } = {}): Promise<ForestBenchResult> {
  log('## Training: random forest');
  const load = `load average ${loadavg().map((v) => v.toFixed(2)).join(' ')} (up ${Math.round(uptime() / 60)} min)`;
  log(`machine: ${load}`);
  const result: ForestBenchResult = { load, training: [], examples: [], prediction: null, http: null };
  if (!sklearnAvailable()) {
    log('scikit-learn comparison skipped: /usr/bin/python3 with sklearn not found (apt-get install python3-sklearn)');
    return result;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-forest-'));
  try {
    for (const rows of options.rows ?? [100_000, 1_000_000]) {
      const r = await benchTraining(dir, rows);
      result.training.push(r);
      log(
        `${rows.toLocaleString('en-US')} rows × ${SYNTHETIC_FEATURES}, ${TREES} trees of depth ${DEPTH}, √features, bootstrap + out-of-bag (${r.splitter} splits): fit ours ${r.oursMs.toFixed(0)} ms, sklearn n_jobs=-1 ${r.sklearnMs.toFixed(0)} ms → ours takes ${r.ratio.toFixed(2)}× sklearn's time; holdout accuracy ours ${(r.oursAccuracy * 100).toFixed(2)}%, sklearn ${(r.sklearnAccuracy * 100).toFixed(2)}%; out-of-bag ours ${(r.oursOob * 100).toFixed(2)}%, sklearn ${(r.sklearnOob * 100).toFixed(2)}%; peak RSS ours ${r.oursMaxRssMB.toFixed(0)} MB, sklearn ${r.sklearnMaxRssMB.toFixed(0)} MB`,
      );
    }
    result.examples = await benchExamples(dir);
    for (const e of result.examples) log(`${e.name}: holdout ${e.metric}, mean of ${SEEDS.length} seeds, ${TREES} trees at both sides' defaults: ours ${e.ours.toFixed(4)}, sklearn ${e.sklearn.toFixed(4)} (${e.ours >= e.sklearn ? '+' : ''}${(e.ours - e.sklearn).toFixed(4)})`);
    const model = path.join(dir, 'synthetic-100000');
    if (!result.training.some((t) => t.rows === 100_000)) await syntheticModel(dir, 100_000);
    const { bytes, prediction } = await benchPrediction(model);
    result.prediction = prediction;
    log(
      `prediction, ${TREES} trees of depth ${DEPTH} (${prediction.nodes.toLocaleString('en-US')} nodes), in process: one row ours ${prediction.oursSingleRowUs.toFixed(2)} µs, sklearn predict ${prediction.sklearnSingleRowUs.toFixed(0)} µs; ${prediction.holdoutRows.toLocaleString('en-US')} rows ours ${prediction.oursBulkMs.toFixed(0)} ms, sklearn ${prediction.sklearnBulkMs.toFixed(0)} ms`,
    );
    result.http = await benchHttp(dir, model, bytes, log);
    if (result.http) {
      const h = result.http;
      log(
        `HTTP single-row POST /v1/models/…:predict (wrk -c16, best of 3): forest ${Math.round(h.forestReqPerS).toLocaleString('en-US')} req/s, one tree of depth ${DEPTH} ${Math.round(h.treeReqPerS).toLocaleString('en-US')} req/s → ${h.ratio.toFixed(2)}×; one ${h.csvRows.toLocaleString('en-US')}-row CSV request through the forest: ${Math.round(h.csvRowsPerS).toLocaleString('en-US')} rows/s`,
      );
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg > 0 ? process.argv[rowsArg + 1]!.split(',').map(Number) : undefined;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`\n${JSON.stringify({ forest: await benchForest(log, { rows }) })}`);
}
