/**
 * What a user waits for: `mlship train` end to end (a child process, from its start to the artifact
 * on disk, loading included) against scikit-learn end to end (bench/reference/sklearn_train_e2e.py:
 * numpy.loadtxt, then a DecisionTreeClassifier), on the same train and holdout CSV files, at
 * 1,000,000 × 8 and 100,000 × 100, depth 10, each side with its default parameters otherwise.
 * Runs alternate ours and sklearn's; figures are medians. Both print their phases. Each side uses its
 * runtime's bytecode cache as a user's repeated runs do: Python its .pyc files, `mlship` Node's compile
 * cache (cli/main.ts; the first run fills it if it is empty).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sklearnAvailable } from './cart.ts';
import { median } from './stats.ts';
import { syntheticClassification, writeCsv } from './synthetic.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../cli/main.ts');
const SKLEARN = path.join(here, 'reference/sklearn_train_e2e.py');
const PYTHON = '/usr/bin/python3';
const DEPTH = 10;

type Phases = Record<string, number>;

export interface TrainE2eResult {
  rows: number;
  features: number;
  oursMs: number;
  sklearnMs: number;
  /** ours / sklearn's wall time: below 1 is faster. */
  ratio: number;
  oursPhasesMs: Phases;
  sklearnPhasesMs: Phases;
  oursAccuracy: number;
  sklearnAccuracy: number;
  sklearnNodes: number;
  runs: number;
}

/** The bench's data seed; `benchTrainSeeds` compares accuracy over others too. */
const SEED = 11;

async function writeModel(dir: string, rows: number, features: number, seed = SEED): Promise<string> {
  const holdoutRows = Math.min(200_000, Math.round(rows / 4));
  const data = syntheticClassification(rows + holdoutRows, seed, features);
  const model = path.join(dir, `synthetic-${features}`);
  mkdirSync(model);
  await writeCsv(data, path.join(model, 'train.csv'), 0, rows);
  await writeCsv(data, path.join(model, 'holdout.csv'), rows, rows + holdoutRows);
  writeFileSync(path.join(model, 'model.yaml'), `task: classification\nalgorithm: cart\ndata: train.csv\nholdout: holdout.csv\ntarget: label\nparams: { maxDepth: ${DEPTH} }\n`);
  return model;
}

function timed<T>(run: () => string, read: (out: string) => T): { ms: number; out: T } {
  const started = performance.now();
  const stdout = run();
  return { ms: performance.now() - started, out: read(stdout) };
}

function oursRun(model: string, out: string): { ms: number; out: { phasesMs: Phases; accuracy: number } } {
  return timed(
    () => execFileSync(process.execPath, [CLI, 'train', model, '--out', out, '--json'], { encoding: 'utf8' }),
    (stdout) => {
      const line = JSON.parse(stdout.trim().split('\n').at(-1)!);
      if (!line.artifact) throw new Error(`mlship train wrote no artifact: ${stdout}`);
      return { phasesMs: line.phasesMs as Phases, accuracy: line.metrics.accuracy as number };
    },
  );
}

function sklearnRun(model: string): { ms: number; out: { phasesMs: Phases; accuracy: number; nodes: number } } {
  return timed(
    () => execFileSync(PYTHON, [SKLEARN, path.join(model, 'train.csv'), path.join(model, 'holdout.csv'), 'label', '--max-depth', String(DEPTH)], { encoding: 'utf8' }),
    (stdout) => JSON.parse(stdout),
  );
}

/** The run whose wall time is the median, so its phases go with the figure. */
function medianRun<T extends { ms: number }>(runs: T[]): T {
  const m = median(runs.map((r) => r.ms));
  return runs.find((r) => r.ms === m)!;
}

export async function benchTrainE2e(rows: number, features: number, repeats = 3): Promise<TrainE2eResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-e2e-'));
  try {
    const model = await writeModel(dir, rows, features);
    const ours = [];
    const sk = [];
    for (let i = 0; i < repeats; i++) {
      ours.push(oursRun(model, path.join(dir, `out-${i}`)));
      sk.push(sklearnRun(model));
    }
    const o = medianRun(ours);
    const s = medianRun(sk);
    return {
      rows,
      features,
      oursMs: o.ms,
      sklearnMs: s.ms,
      ratio: o.ms / s.ms,
      oursPhasesMs: o.out.phasesMs,
      sklearnPhasesMs: s.out.phasesMs,
      oursAccuracy: o.out.accuracy,
      sklearnAccuracy: s.out.accuracy,
      sklearnNodes: s.out.nodes,
      runs: repeats,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const phasesText = (p: Phases) => Object.entries(p).map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)} s`).join(', ');

export async function benchTrain(log: (line: string) => void, repeats = 3): Promise<TrainE2eResult[]> {
  log('## Training end to end: `mlship train` vs scikit-learn (numpy.loadtxt + fit), wall time of the whole process');
  if (!sklearnAvailable()) {
    log('skipped: /usr/bin/python3 with sklearn not found (apt-get install python3-sklearn)');
    return [];
  }
  // The machine may be shared: the load says how far wall times are stretched (both sides alike).
  log(`load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  const results: TrainE2eResult[] = [];
  for (const [rows, features] of [
    [1_000_000, 8],
    [100_000, 100],
  ] as const) {
    const r = await benchTrainE2e(rows, features, repeats);
    results.push(r);
    log(
      `${rows.toLocaleString('en-US')} rows × ${features}, depth ${DEPTH} (median of ${repeats}): ours ${(r.oursMs / 1000).toFixed(2)} s, sklearn ${(r.sklearnMs / 1000).toFixed(2)} s → ours takes ${r.ratio.toFixed(2)}× sklearn's time; holdout accuracy ours ${(r.oursAccuracy * 100).toFixed(2)}%, sklearn ${(r.sklearnAccuracy * 100).toFixed(2)}%`,
    );
    log(`    ours:    ${phasesText(r.oursPhasesMs)} (the rest: node start-up, spec, writing the artifact)`);
    log(`    sklearn: ${phasesText(r.sklearnPhasesMs)}`);
  }
  return results;
}

export interface SeedAccuracy {
  seed: number;
  oursAccuracy: number;
  sklearnAccuracy: number;
  /** Ours minus sklearn's, in points of holdout accuracy. */
  differencePoints: number;
}

/**
 * Holdout accuracy of `mlship train` and of scikit-learn on the bench's data made with other
 * seeds (1,000,000 × 8, depth 10, defaults otherwise): one run each per seed, accuracy only.
 */
export async function benchTrainSeeds(log: (line: string) => void, seeds: number[], rows = 1_000_000, features = 8): Promise<SeedAccuracy[]> {
  log(`## Training accuracy over data seeds: \`mlship train\` vs scikit-learn, ${rows.toLocaleString('en-US')} rows × ${features}, depth ${DEPTH}`);
  const results: SeedAccuracy[] = [];
  for (const seed of seeds) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-seeds-'));
    try {
      const model = await writeModel(dir, rows, features, seed);
      const ours = oursRun(model, path.join(dir, 'out')).out.accuracy;
      const sk = sklearnRun(model).out.accuracy;
      const r = { seed, oursAccuracy: ours, sklearnAccuracy: sk, differencePoints: (ours - sk) * 100 };
      results.push(r);
      log(`seed ${seed}: ours ${(ours * 100).toFixed(3)}%, sklearn ${(sk * 100).toFixed(3)}% → ${r.differencePoints >= 0 ? '+' : ''}${r.differencePoints.toFixed(3)} points`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

// `node bench/train-e2e.ts --seeds 11,12,13,14,15`: the accuracy comparison alone.
if (import.meta.main) {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '11,12,13,14,15' } } });
  if (!sklearnAvailable()) throw new Error('/usr/bin/python3 with sklearn not found (apt-get install python3-sklearn)');
  await benchTrainSeeds(console.log, values.seeds.split(',').map(Number));
}
