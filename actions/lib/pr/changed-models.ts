/**
 * Which models a pull request asks to train: a changed file under `models/<name>/` trains that
 * model, a change under `training/` trains every model (the trainer changed), and a changed model
 * whose folder is gone at the head was deleted, so its lock entry goes. The lock itself and other
 * files train nothing.
 */
import { isModelName } from '../../../training/identifiers.ts';

export const MODELS_DIR = 'models';
export const TRAINING_DIR = 'training';

export interface ModelChanges {
  /** Models to train (their folders exist at the head), sorted. */
  train: string[];
  /** Models whose folders the pull request deleted, sorted. */
  removed: string[];
  /** Whether `training/` changed, so every model is retrained. */
  all: boolean;
}

/**
 * @param paths the files the pull request changes (repository-relative, `/`-separated; a rename counts with both names)
 * @param existing the model folders at the head (names of `models/<name>/` holding a `model.yaml`)
 */
export function changedModels(paths: readonly string[], existing: readonly string[]): ModelChanges {
  const present = new Set(existing);
  const touched = new Set<string>();
  let all = false;
  for (const file of paths) {
    const parts = file.split('/');
    if (parts[0] === TRAINING_DIR && parts.length > 1) all = true;
    // a file directly in models/ (a README) belongs to no model
    if (parts[0] === MODELS_DIR && parts.length > 2 && isModelName(parts[1]!)) touched.add(parts[1]!);
  }
  const train = all ? [...present] : [...touched].filter((name) => present.has(name));
  const removed = [...touched].filter((name) => !present.has(name));
  return { train: train.sort(), removed: removed.sort(), all };
}
