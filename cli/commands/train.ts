/**
 * `mlship train <modelDir>... [--out DIR] [--json] [--champion FILE]... [--lock FILE [--store URI]]`
 * Trains, evaluates and gates each model and writes `<out>/<name>/model.json` for those that
 * pass. `--json` prints one JSON object per model per line. The champion a `maxRegression` gate
 * compares with is an artifact file (`--champion`) or the version a lock pins (`--lock`, usually
 * the base branch's lock), read from the store and verified.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../registry/atomic-write.ts';
import { loadChampion } from '../../registry/champion.ts';
import { readLock } from '../../registry/lock.ts';
import { NotFoundError } from '../../registry/store/index.ts';
import { storeFor } from '../store.ts';
import { parseArtifact } from '../../training/artifact.ts';
import type { Artifact } from '../../training/artifact.ts';
import { MlshipError, describeError } from '../../training/errors.ts';
import { loadSpec } from '../../training/spec.ts';
import type { TrainResult } from '../../training/train-model.ts';
import { trainModel } from '../../training/train-model.ts';
import { currentCommit } from '../git.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError, isFileSystemError } from '../io.ts';

export const DEFAULT_OUT = '.mlship/artifacts';

export interface TrainedModel {
  name: string;
  result?: TrainResult;
  /** Where the artifact was written (only when its gates passed). */
  file?: string;
  error?: string;
}

export async function trainCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', default: DEFAULT_OUT },
      json: { type: 'boolean', default: false },
      champion: { type: 'string', multiple: true, default: [] },
      lock: { type: 'string' },
      store: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError(TRAIN_USAGE);
  const dirs = positionals.map((dir) => path.resolve(io.cwd, dir));
  const champions = values.lock ? await championsFromLock(path.resolve(io.cwd, values.lock), values.store, dirs, io, { missing: 'fail' }) : new Map<string, Artifact>();
  for (const file of values.champion) {
    const artifact = parseArtifact(await readFile(path.resolve(io.cwd, file)), file);
    champions.set(artifact.name, artifact);
  }
  const models = await trainModels(dirs, { out: path.resolve(io.cwd, values.out), champions, json: values.json }, io);
  return models.reduce((code, m) => Math.max(code, m.error ? EXIT.badInput : m.result?.gates.passed ? EXIT.ok : EXIT.failed), EXIT.ok as number);
}

export const TRAIN_USAGE =
  'train <modelDir>... [--out DIR] [--json] [--champion model.json]... [--lock FILE [--store URI]]   train, evaluate, gate, write artifacts';

/**
 * The champions a lock pins for the given model folders, read from the store and verified. A
 * missing lock or a pinned object missing from the store fails, or with `missing: 'warn'` (the
 * local `npm start`, whose store is a scratch folder) counts as no champion.
 */
export async function championsFromLock(
  lockFile: string,
  storeFlag: string | undefined,
  dirs: string[],
  io: CommandIO,
  options: { missing: 'fail' | 'warn' },
): Promise<Map<string, Artifact>> {
  const lock = await readLock(lockFile, { allowMissing: options.missing === 'warn' });
  const store = storeFor(storeFlag, io);
  const champions = new Map<string, Artifact>();
  for (const dir of dirs) {
    const name = path.basename(dir);
    try {
      const champion = await loadChampion(lock, name, store);
      if (champion) champions.set(name, champion);
    } catch (err) {
      if (!(err instanceof NotFoundError) || options.missing === 'fail') throw err;
      io.stderr.write(`! ${name}: the champion pinned in ${path.basename(lockFile)} is not in ${store.uri}; training without one\n`);
    }
  }
  return champions;
}

/** Trains each model folder in turn; one model's bad input does not stop the others. */
export async function trainModels(
  dirs: string[],
  options: { out: string; champions: Map<string, Artifact>; json: boolean },
  io: CommandIO,
): Promise<TrainedModel[]> {
  const commit = await currentCommit(io.cwd, io.env);
  const done: TrainedModel[] = [];
  for (const dir of dirs) {
    const name = path.basename(dir);
    const progress = !options.json && io.stderr.isTTY ? progressLine(io, name) : undefined;
    try {
      const loaded = await loadSpec(dir);
      const result = await trainModel(loaded, { commit, champion: options.champions.get(loaded.name), onProgress: progress });
      progress?.({ phase: 'done' });
      let file: string | undefined;
      if (result.gates.passed) {
        file = path.join(options.out, loaded.name, 'model.json');
        await writeFileAtomic(file, result.bytes);
      }
      done.push({ name: loaded.name, result, file });
      io.stdout.write(options.json ? jsonLine(result, file) : summary(result, file, io.cwd));
    } catch (err) {
      progress?.({ phase: 'done' });
      if (!(err instanceof MlshipError) && !isFileSystemError(err)) throw err;
      done.push({ name, error: describeError(err) });
      if (options.json) io.stdout.write(`${JSON.stringify({ name, error: describeError(err) })}\n`);
      io.stderr.write(`✗ ${name}: ${describeError(err)}\n`);
    }
  }
  return done;
}

function jsonLine(r: TrainResult, file: string | undefined): string {
  return `${JSON.stringify({
    name: r.artifact.name,
    version: r.artifact.version,
    sha256: r.sha256,
    task: r.artifact.task,
    trainMs: round(r.trainMs, 3),
    trainRows: r.trainRows,
    holdoutRows: r.holdoutRows,
    splitter: r.artifact.params.splitter,
    metrics: r.artifact.metrics,
    gates: { passed: r.gates.passed, reasons: r.gates.reasons },
    champion: r.champion ?? null,
    artifact: file ?? null,
  })}\n`;
}

function summary(r: TrainResult, file: string | undefined, cwd: string): string {
  const a = r.artifact;
  const metrics =
    a.task === 'classification'
      ? `accuracy ${a.metrics.accuracy.toFixed(4)}  macroF1 ${a.metrics.macroF1.toFixed(4)}`
      : `rmse ${a.metrics.rmse.toFixed(3)}  mae ${a.metrics.mae.toFixed(3)}  r2 ${a.metrics.r2.toFixed(4)}`;
  const lines = [
    `${r.gates.passed ? '✓' : '✗'} ${a.name} ${a.version}  ${metrics}  (holdout ${r.holdoutRows} rows; trained on ${r.trainRows} rows in ${formatMs(r.trainMs)}, ${a.params.splitter} splits)`,
    ...r.gates.checks.map((c) => `    ${c}`),
    file ? `    → ${path.relative(cwd, file) || file}` : '    not written: a gate failed',
  ];
  return `${lines.join('\n')}\n`;
}

function progressLine(io: CommandIO, name: string) {
  let last = '';
  return (event: { phase: 'load'; rows: number } | { phase: 'train'; fraction: number } | { phase: 'done' }) => {
    const text =
      event.phase === 'load' ? `${name}: loading ${event.rows.toLocaleString('en-US')} rows` : event.phase === 'train' ? `${name}: training ${Math.round(event.fraction * 100)}%` : '';
    if (text === last) return;
    last = text;
    io.stderr.write(`\r\x1b[2K${text}`);
  };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
