/**
 * The one rule for "is this artifact the one this lock entry pins?": its bytes hash to the pinned
 * sha256, they parse as an artifact (whose version matches its content), and it carries the
 * entry's name, version and task. Verify, the champion lookup and serving all ask it here.
 */
import type { Artifact } from '../training/artifact.ts';
import { parseArtifact, sha256 } from '../training/artifact.ts';
import { ArtifactError, MlshipError, describeError } from '../training/errors.ts';
import type { LockEntry } from './lock.ts';

/** The bytes are not what the lock pins. `reason` says which check failed. */
export class PinMismatchError extends MlshipError {
  readonly reason: 'sha256' | 'invalid' | 'name' | 'version' | 'task';
  constructor(message: string, reason: PinMismatchError['reason'], place: { file?: string; model: string }) {
    super(message, place);
    this.reason = reason;
  }
}

/** A label for a pinned object in messages: `iris@4f1c2a9e07b3`. */
export function pinLabel(name: string, entry: Pick<LockEntry, 'version'>): string {
  return `${name}@${entry.version}`;
}

/** Returns the parsed artifact when `bytes` are exactly what `entry` pins for `name`; throws `PinMismatchError` otherwise. */
export function checkPinned(name: string, entry: Pick<LockEntry, 'version' | 'sha256' | 'task'>, bytes: Uint8Array, file?: string): Artifact {
  const place = { file, model: name };
  const digest = sha256(bytes);
  if (digest !== entry.sha256) {
    throw new PinMismatchError(`sha256 mismatch: the lock pins ${entry.sha256} but the artifact's bytes hash to ${digest}`, 'sha256', place);
  }
  let artifact: Artifact;
  try {
    artifact = parseArtifact(bytes, file ?? pinLabel(name, entry));
  } catch (err) {
    if (err instanceof ArtifactError) throw new PinMismatchError(`not a valid artifact: ${describeError(err)}`, 'invalid', place);
    throw err;
  }
  if (artifact.name !== name) throw new PinMismatchError(`the artifact is model "${artifact.name}", but the lock entry is "${name}"`, 'name', place);
  if (artifact.version !== entry.version) {
    throw new PinMismatchError(`the artifact is version ${artifact.version}, but the lock pins version ${entry.version}`, 'version', place);
  }
  if (artifact.task !== entry.task) throw new PinMismatchError(`the artifact is a ${artifact.task} model, but the lock says ${entry.task}`, 'task', place);
  return artifact;
}
