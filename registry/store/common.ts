/** Rules both stores share: checking what was read, and deciding what an existing version means. */
import { sha256 } from '../../training/artifact.ts';
import { ConflictError, IntegrityError } from './errors.ts';
import type { PutResult } from './types.ts';
import { checkSha256 } from './types.ts';

/**
 * Returns `bytes` when their sha256 is `expected`, and when the digest recorded beside the object
 * (if any) agrees; otherwise throws `IntegrityError` naming the model and both digests.
 */
export function checkRead(bytes: Buffer, want: { name: string; version: string; uri: string; expected: string; recorded?: string }): Buffer {
  checkSha256(want.expected);
  const actual = sha256(bytes);
  if (actual !== want.expected) {
    throw new IntegrityError({ model: want.name, version: want.version, uri: want.uri, expected: want.expected, actual });
  }
  if (want.recorded !== undefined && want.recorded !== want.expected) {
    throw new IntegrityError({
      model: want.name,
      version: want.version,
      uri: want.uri,
      expected: want.expected,
      actual: want.recorded,
      what: 'the digest recorded in the object metadata is',
    });
  }
  return bytes;
}

/**
 * The version is already there (found before writing, or our no-overwrite write lost): identical
 * bytes make it "already published", anything else is a `ConflictError`.
 */
export function settleExisting(
  existing: Buffer,
  ours: { name: string; version: string; uri: string; sha256: string; size: number; multipart: boolean },
  detectedBy: NonNullable<PutResult['detectedBy']>,
): PutResult {
  const theirs = sha256(existing);
  if (theirs !== ours.sha256) {
    throw new ConflictError({ model: ours.name, version: ours.version, uri: ours.uri, existing: theirs, attempted: ours.sha256 });
  }
  return { status: 'already-published', uri: ours.uri, sha256: ours.sha256, size: ours.size, multipart: ours.multipart, detectedBy };
}
