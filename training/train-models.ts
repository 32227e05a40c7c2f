/**
 * Training several models in one call: what the command line, `npm start` and the GitHub Actions
 * all stand on. Each model folder is trained in turn and gated against its champion; one model's
 * bad input does not stop the others. The result is data: per model its artifact, gate checks and
 * data summary, or its error with the place. Nothing goes to stdout: progress goes to a callback,
 * and the caller renders text, JSON or Markdown.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact } from './artifact.ts';
import { writeFileAtomic } from './atomic-write.ts';
import type { ErrorReport } from './errors.ts';
import { MlshipError, reportError } from './errors.ts';
import { loadSpec } from './spec.ts';
import type { TrainProgress, TrainResult } from './train-model.ts';
import { trainModel } from './train-model.ts';

export interface TrainModelsOptions {
  /** The versions currently served (from the base branch's lock), keyed by model name. */
  champions?: ReadonlyMap<string, Artifact>;
  /** The commit each model is trained at, or null for uncommitted changes: carried to the lock by publishing. */
  commitFor?: (name: string) => string | null;
  /** Where artifacts that pass their gates are written, as `<out>/<name>/model.json`; nothing is written without it. */
  out?: string;
  onProgress?: (name: string, event: TrainProgress) => void;
}

interface Outcome {
  /** The model's name: its folder's name. */
  name: string;
  dir: string;
  commit: string | null;
}

export interface TrainedOutcome extends Outcome {
  status: 'passed' | 'gate-failed';
  result: TrainResult;
  /** Where the artifact was written (passed, and `out` given). */
  file?: string;
}

export interface FailedOutcome extends Outcome {
  status: 'error';
  error: ErrorReport;
}

export type ModelOutcome = TrainedOutcome | FailedOutcome;

export interface TrainRun {
  models: ModelOutcome[];
  /** Every model trained and passed its gates. */
  passed: boolean;
}

export async function trainModels(dirs: readonly string[], options: TrainModelsOptions = {}): Promise<TrainRun> {
  const models: ModelOutcome[] = [];
  for (const dir of dirs) {
    const name = path.basename(path.resolve(dir));
    const commit = options.commitFor?.(name) ?? null;
    try {
      const loaded = await loadSpec(dir);
      const result = await trainModel(loaded, { champion: options.champions?.get(loaded.name), onProgress: options.onProgress && ((e) => options.onProgress!(name, e)) });
      let file: string | undefined;
      if (result.passed && options.out) {
        file = await artifactFile(options.out, loaded.name);
        await writeFileAtomic(file, result.bytes);
      }
      models.push({ name, dir, commit, status: result.passed ? 'passed' : 'gate-failed', result, file });
    } catch (err) {
      models.push({ name, dir, commit, status: 'error', error: reportError(err) });
    }
  }
  return { models, passed: models.every((m) => m.status === 'passed') };
}

/** An artifact cannot be written where it was asked to be. */
export class OutputError extends MlshipError {}

/**
 * `<out>/<name>/model.json`, refusing a `<out>/<name>` that is a symbolic link: a link planted
 * there (by a checkout, say) would send the artifact to a folder elsewhere, as data links would
 * read files elsewhere. `model.json` itself is replaced by the atomic rename, never followed.
 */
async function artifactFile(out: string, name: string): Promise<string> {
  const dir = path.join(out, name);
  const found = await lstat(dir).catch(() => undefined);
  if (found?.isSymbolicLink()) throw new OutputError(`the output folder is a symbolic link; refusing to write the artifact through it`, { file: dir });
  return path.join(dir, 'model.json');
}
