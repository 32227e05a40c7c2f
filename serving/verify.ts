/**
 * Checking artifact bytes against the lock entry that pins them, and compiling them: what a
 * serving process that reads the models does (one process, or a cluster's primary, which hands
 * its workers the compiled models: `shareModel`, model.ts). Apart from loader.ts, which fetches
 * the bytes and imports the model store: checking needs none of it.
 */
import type { LockEntry } from '../registry/lock.ts';
import { PinMismatchError, checkPinned } from '../registry/pin.ts';
import type { Artifact } from '../training/artifact.ts';
import { MlshipError } from '../training/errors.ts';
import { compilePredictor } from './compile-predictor.ts';
import type { ServedModel } from './model.ts';
import { servedModel } from './model.ts';

/** Why a model is not served. */
export class ModelLoadError extends MlshipError {
  /** Whether trying again could help (a fetch error), as opposed to bad or tampered content. */
  readonly retryable: boolean;
  constructor(message: string, retryable = false, options?: ErrorOptions) {
    super(message, {}, options);
    this.retryable = retryable;
  }
}

export interface LoadFailure {
  name: string;
  entry: LockEntry;
  /** Why, as the public answers say it (readiness, `/v1/models`): no store URI, bucket or file path. */
  reason: string;
  /** Why, with where (the object's URI or path), for the log only. */
  detail?: string;
}

/**
 * Checks artifact bytes against their lock entry and compiles them; throws ModelLoadError saying
 * what does not match.
 */
export function verifyArtifact(name: string, entry: LockEntry, bytes: Uint8Array): ServedModel {
  let artifact;
  try {
    artifact = checkPinned(name, entry, bytes);
  } catch (err) {
    if (err instanceof PinMismatchError) throw new ModelLoadError(err.message, false, { cause: err });
    throw err;
  }
  try {
    return serveArtifact(name, entry, artifact);
  } catch (err) {
    throw new ModelLoadError(`cannot compile the model: ${(err as Error).message}`, false, { cause: err });
  }
}

/** Compiles a verified artifact (name and version already checked against `entry`). */
function serveArtifact(name: string, entry: LockEntry, artifact: Artifact): ServedModel {
  const { model: _trees, ...description } = artifact;
  return servedModel(name, entry, description, compilePredictor(artifact));
}
