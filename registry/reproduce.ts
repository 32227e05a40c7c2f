/**
 * `mlship verify --reproduce`: retrain every pinned model from the working tree and check that it
 * gives the pinned bytes. Each model is reproduced; drifted, with both digests and the inputs that
 * differ (read from the lock's `inputs`, so no store or credentials are needed); missing, when its
 * folder is gone; or failed, when it cannot be trained. CI runs it, so the lock can never pin
 * something the repository cannot rebuild.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorReport } from '../training/errors.ts';
import { reportError } from '../training/errors.ts';
import { loadSpec } from '../training/spec.ts';
import { trainModel } from '../training/train-model.ts';
import type { Lock, LockInputs } from './lock.ts';
import { INPUT_NAMES, LockError, specPathFor } from './lock.ts';

export type InputName = keyof LockInputs;

export interface InputChange {
  input: InputName;
  pinned: string | null;
  now: string | null;
}

export type Reproduction =
  | { name: string; status: 'reproduced'; version: string; sha256: string }
  | {
      name: string;
      status: 'drifted';
      pinned: { version: string; sha256: string };
      rebuilt: { version: string; sha256: string };
      /** The inputs whose digests differ; empty when none does (or when the lock did not record them). */
      changed: InputChange[];
      /** The lock entry came from a v1 lock and recorded no inputs. */
      inputsUnknown: boolean;
    }
  | { name: string; status: 'missing'; version: string; folder: string }
  | { name: string; status: 'failed'; version: string; error: ErrorReport };

export interface LockReproduction {
  ok: boolean;
  models: Reproduction[];
}

/** Retrains each pinned model from its folder under `root` (the lock's repository). */
export async function reproduceLock(lock: Lock, root: string): Promise<LockReproduction> {
  const models: Reproduction[] = [];
  for (const name of Object.keys(lock.models).sort()) models.push(await reproduceEntry(lock, name, root));
  return { ok: models.every((m) => m.status === 'reproduced'), models };
}

async function reproduceEntry(lock: Lock, name: string, root: string): Promise<Reproduction> {
  const entry = lock.models[name]!;
  // The model is its folder `models/<name>/`: a spec path naming another place (another model's
  // folder, or one outside the repository) is not followed.
  const expected = specPathFor(name);
  if (entry.source.spec !== expected) {
    const error = new LockError(`must be "${expected}" (the model's folder is its name), got "${entry.source.spec}"`, { model: name, field: 'source.spec' });
    return { name, status: 'failed', version: entry.version, error: reportError(error) };
  }
  const folder = path.dirname(expected);
  const dir = path.resolve(root, folder);
  if (!(await isDirectory(dir))) return { name, status: 'missing', version: entry.version, folder };
  let rebuilt;
  try {
    rebuilt = await trainModel(await loadSpec(dir));
  } catch (err) {
    return { name, status: 'failed', version: entry.version, error: reportError(err) };
  }
  if (rebuilt.sha256 === entry.sha256) return { name, status: 'reproduced', version: entry.version, sha256: entry.sha256 };
  const { lineage } = rebuilt.artifact;
  const now: LockInputs = { spec: lineage.spec.sha256, data: lineage.data.sha256, holdout: lineage.holdout?.sha256 ?? null, trainer: lineage.trainer };
  const changed = entry.inputs ? INPUT_NAMES.filter((input) => entry.inputs![input] !== now[input]).map((input) => ({ input, pinned: entry.inputs![input], now: now[input] })) : [];
  return {
    name,
    status: 'drifted',
    pinned: { version: entry.version, sha256: entry.sha256 },
    rebuilt: { version: rebuilt.artifact.version, sha256: rebuilt.sha256 },
    changed,
    inputsUnknown: entry.inputs === null,
  };
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
