/**
 * Checking artifact bytes against the lock entry that pins them, and compiling them: what every
 * serving process does, the cluster workers included. Apart from loader.ts (fetching), so that a
 * worker, which only receives bytes, imports neither the model store nor its AWS SDK.
 */
import type { LockEntry } from '../registry/lock.ts';
import { PinMismatchError, checkPinned } from '../registry/pin.ts';
import type { Artifact } from '../training/artifact.ts';
import { sha256 } from '../training/artifact.ts';
import { MlshipError } from '../training/errors.ts';
import type { ServedModel } from './model.ts';
import { serveArtifact } from './model.ts';

/** Why a model is not served. */
export class ModelLoadError extends MlshipError {
  /** Whether trying again could help (a fetch error), as opposed to bad or tampered content. */
  readonly retryable: boolean;
  constructor(message: string, retryable = false, options?: ErrorOptions) {
    super(message, {}, options);
    this.retryable = retryable;
  }
}

/** Verified artifact bytes for one lock entry (what the cluster primary hands its workers). */
export interface VerifiedArtifact {
  name: string;
  entry: LockEntry;
  bytes: Uint8Array;
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

/**
 * What a cluster worker does with bytes its primary verified (`verifyArtifact` there): checks the
 * digest again, then parses and compiles them without the artifact schema. The same sha256 means
 * the same bytes, which already passed it; zod's walk would copy the whole document once more (a
 * 100-tree forest: about 10 MB of transient heap, which the worker then keeps as RSS).
 */
export function compileVerified(name: string, entry: LockEntry, bytes: Uint8Array): ServedModel {
  const digest = sha256(bytes);
  if (digest !== entry.sha256) throw new ModelLoadError(`sha256 mismatch: the lock pins ${entry.sha256} but the artifact's bytes hash to ${digest}`);
  const artifact = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString()) as Artifact;
  try {
    return serveArtifact(name, entry, artifact);
  } catch (err) {
    throw new ModelLoadError(`cannot compile the model: ${(err as Error).message}`, false, { cause: err });
  }
}
