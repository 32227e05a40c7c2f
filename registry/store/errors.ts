/** Errors of the model store. Each names the object (its URI) and, where there is one, the model. */
import { MlshipError } from '../../training/errors.ts';
import type { ErrorPlace } from '../../training/errors.ts';

/** The store cannot be used: a bad URI, a missing bucket, no credentials, a failed request. */
export class StoreError extends MlshipError {}

/** The version asked for is not in the store. */
export class NotFoundError extends StoreError {
  readonly model: string;
  readonly version: string;
  readonly uri: string;
  constructor(model: string, version: string, uri: string) {
    super(`model "${model}" version ${version} is not in the store`, { file: uri });
    this.model = model;
    this.version = version;
    this.uri = uri;
  }
}

/**
 * What was read is not what was pinned: the stored bytes (or their recorded digest) do not have
 * the sha256 the lock expects. Never recoverable by retrying: someone changed the object.
 */
export class IntegrityError extends StoreError {
  readonly model: string;
  readonly version: string;
  readonly uri: string;
  readonly expected: string;
  readonly actual: string;
  constructor(fields: { model: string; version: string; uri: string; expected: string; actual: string; what?: string }) {
    super(
      `model "${fields.model}" version ${fields.version}: sha256 mismatch: expected ${fields.expected} (pinned), but ${fields.what ?? 'the stored object has'} ${fields.actual}; the object was altered or replaced`,
      { file: fields.uri },
    );
    this.model = fields.model;
    this.version = fields.version;
    this.uri = fields.uri;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/**
 * What is at a version's place is not something to read whole: not a regular file (a FIFO, a
 * device, a directory), or more bytes than the reader's limit. Retrying cannot help.
 */
export class UnreadableObjectError extends StoreError {}

/** A version is already published with different content: versions are immutable. */
export class ConflictError extends StoreError {
  readonly model: string;
  readonly version: string;
  readonly uri: string;
  /** The digest of what is stored. */
  readonly existing: string;
  /** The digest of what was to be published. */
  readonly attempted: string;
  constructor(fields: { model: string; version: string; uri: string; existing: string; attempted: string }) {
    super(
      `model "${fields.model}" version ${fields.version} is already published with different content (sha256 ${fields.existing}); refusing to replace it with sha256 ${fields.attempted}: versions are immutable`,
      { file: fields.uri },
    );
    this.model = fields.model;
    this.version = fields.version;
    this.uri = fields.uri;
    this.existing = fields.existing;
    this.attempted = fields.attempted;
  }
}

export function storeError(message: string, place: ErrorPlace, cause?: unknown): StoreError {
  return new StoreError(message, place, cause === undefined ? undefined : { cause });
}
