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
import { availableChampions, loadChampions } from '../../registry/champion.ts';
import { readLock } from '../../registry/lock.ts';
import { parseArtifact } from '../../training/artifact.ts';
import type { Artifact } from '../../training/artifact.ts';
import type { TrainProgress } from '../../training/train-model.ts';
import type { TrainRun } from '../../training/train-models.ts';
import { trainModels } from '../../training/train-models.ts';
import { commitsOf } from '../git.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, UsageError } from '../io.ts';
import { outcomeJson, outcomeText } from '../render/train.ts';
import { TRAIN_USAGE } from './usage.ts';

export const DEFAULT_OUT = '.mlship/artifacts';

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
  const champions = values.lock
    ? await loadChampions(await readLock(path.resolve(io.cwd, values.lock)), dirs.map((d) => path.basename(d)), await storeFor(values.store, io))
    : new Map<string, Artifact>();
  for (const file of values.champion) {
    const artifact = parseArtifact(await readFile(path.resolve(io.cwd, file)), file);
    champions.set(artifact.name, artifact);
  }
  const run = await trainAndReport(dirs, { out: path.resolve(io.cwd, values.out), champions, json: values.json }, io);
  return run.models.reduce((code, m) => Math.max(code, m.status === 'error' ? EXIT.badInput : m.status === 'passed' ? EXIT.ok : EXIT.failed), EXIT.ok as number);
}

/**
 * The champions a lock pins for the given model folders, from the store: `npm start`'s store is a
 * scratch folder, so one the store lacks is a warning and the model trains without a champion.
 */
export async function localChampions(lockFile: string, dirs: string[], io: CommandIO): Promise<Map<string, Artifact>> {
  const lock = await readLock(lockFile, { allowMissing: true });
  const store = await storeFor(undefined, io);
  const { champions, missing } = await availableChampions(lock, dirs.map((d) => path.basename(d)), store);
  for (const name of missing) {
    io.stderr.write(`! ${name}: version ${lock.models[name]!.version} (pinned in ${path.basename(lockFile)}) is not in ${store.uri} yet, so its maxRegression gates are skipped (a fresh clone's store is empty)\n`);
  }
  return champions;
}

/** Trains the folders (the library call) and prints each model's result as it is rendered. */
export async function trainAndReport(dirs: string[], options: { out: string; champions: Map<string, Artifact>; json: boolean }, io: CommandIO): Promise<TrainRun> {
  const commits = await commitsOf(dirs, io.env);
  const progress = !options.json && io.stderr.isTTY ? progressLine(io) : undefined;
  const run = await trainModels(dirs, { champions: options.champions, out: options.out, commitFor: (name) => commits.get(name) ?? null, onProgress: progress });
  if (progress) io.stderr.write('\r\x1b[2K');
  for (const m of run.models) {
    io.stdout.write(options.json ? outcomeJson(m) : m.status === 'error' ? '' : outcomeText(m, io.cwd));
    if (m.status === 'error') io.stderr.write(outcomeText(m, io.cwd));
  }
  return run;
}

/** The store, imported only when a champion is read from one: the store modules load the AWS SDK, ~0.2 s of every `mlship train`. */
async function storeFor(flag: string | undefined, io: CommandIO) {
  return (await import('../store.ts')).storeFor(flag, io);
}

function progressLine(io: CommandIO) {
  let last = '';
  return (name: string, event: TrainProgress) => {
    const text = event.phase === 'load' ? `${name}: loading ${event.rows.toLocaleString('en-US')} rows` : `${name}: training ${Math.round(event.fraction * 100)}%`;
    if (text === last) return;
    last = text;
    io.stderr.write(`\r\x1b[2K${text}`);
  };
}
