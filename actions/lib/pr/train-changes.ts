/**
 * Training what a pull request changes and writing the results folder: `results.json` and the
 * passing artifacts under `artifacts/<name>/model.json`. The train action, the trusted report of
 * a fork and `mlship report` all do this, each getting its inputs its own way.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Lock } from '../../../registry/lock.ts';
import type { Artifact } from '../../../training/artifact.ts';
import { trainModels } from '../../../training/train-models.ts';
import type { ModelChanges } from './changed-models.ts';
import { modelDirOf } from './model-folders.ts';
import type { Results } from './results.ts';
import { ARTIFACTS_DIR, resultsFromRun, writeResults } from './results.ts';

export interface TrainChangesInput {
  /** Where `models/` is. */
  root: string;
  changes: ModelChanges;
  /** The base branch's lock: the champions, and the versions of removed models. */
  baseLock: Lock;
  /** The champions loaded from the store, or undefined when they could not be read. */
  champions: ReadonlyMap<string, Artifact> | undefined;
  /** The results folder (its artifacts are replaced). */
  out: string;
  /** The commit trained. */
  commit: string | null;
  pullRequest: number | null;
  head: Results['head'];
  base: Results['base'];
}

export async function trainChanges(input: TrainChangesInput): Promise<Results> {
  const artifacts = path.join(input.out, ARTIFACTS_DIR);
  // a rerun must not carry over an artifact of a model that no longer passes
  await rm(artifacts, { recursive: true, force: true });
  const champions = input.champions ?? new Map<string, Artifact>();
  const run = await trainModels(
    input.changes.train.map((name) => modelDirOf(input.root, name)),
    { champions, commitFor: () => input.commit, out: artifacts },
  );
  const results = resultsFromRun(run, {
    pullRequest: input.pullRequest,
    head: input.head,
    base: input.base,
    all: input.changes.all,
    removed: input.changes.removed.map((name) => ({ name, version: input.baseLock.models[name]?.version ?? null })),
    champions,
    championsLoaded: input.champions !== undefined,
  });
  for (const m of results.models) if (m.status === 'error' && m.error.place.file) m.error.place.file = repositoryPath(input.root, m.error.place.file);
  await writeResults(input.out, results);
  return results;
}

/** An error's file relative to the repository (for annotations, and so no runner path is reported). */
function repositoryPath(root: string, file: string): string {
  const relative = path.relative(root, path.resolve(root, file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}
