/**
 * The model store: where published artifacts live. One interface, two implementations chosen by
 * URI (`s3://bucket/prefix`, `file://path`). Layout: `<prefix>/models/<name>/<version>/model.json`.
 *
 * Objects are immutable: a version is written once; writing the same bytes again is a no-op
 * ("already published"); different bytes under an existing version is a `ConflictError`. Every
 * read checks the sha256 the caller expects (from the lock) and throws `IntegrityError` otherwise.
 */
import { MODEL_VERSION, SHA256_HEX, isModelName } from '../../training/identifiers.ts';
import { StoreError } from './errors.ts';

export type PutStatus = 'published' | 'already-published';

export interface PutResult {
  status: PutStatus;
  uri: string;
  sha256: string;
  size: number;
  /** Whether the bytes went up as a multipart upload (S3 only). */
  multipart: boolean;
  /**
   * How an existing version was found, when `status` is "already-published":
   * `exists` (seen before writing), `precondition-failed` (S3 answered 412 to the conditional
   * write), `link-exists` (the file store's no-overwrite link found the file there),
   * `raced` (another writer committed between our check and our commit).
   */
  detectedBy?: 'exists' | 'precondition-failed' | 'link-exists' | 'raced';
}

export interface PutOptions {
  /** Upload progress, in bytes (the file store reports per chunk written, S3 multipart per part). */
  onProgress?: (progress: { loaded: number; total: number }) => void;
  /**
   * The commit the artifact was trained at: provenance, kept in the object's metadata
   * (`x-amz-meta-commit` on S3) because the artifact itself holds none. The first writer's stays.
   */
  commit?: string | null;
}

/** Bounds on one read (serving reads what a lock pins, and must never hang or fill memory on it). */
export interface GetOptions {
  /** Aborts the read (a timeout, a shutdown). */
  signal?: AbortSignal;
  /** Refuses an object larger than this (`UnreadableObjectError`) before reading it whole. */
  maxBytes?: number;
}

export interface StoredObject {
  uri: string;
  size: number;
  /** The sha256 recorded beside the object when it was written (S3 `x-amz-meta-sha256`); the file store has none. */
  sha256?: string;
  etag?: string;
  lastModified?: Date;
  /** The commit recorded beside the object when it was written (S3 `x-amz-meta-commit`). */
  commit?: string;
}

export interface ModelStore {
  readonly kind: 's3' | 'file';
  /** The store's own normalised URI (`s3://bucket[/prefix]` or `file:///abs/path`). */
  readonly uri: string;
  /** Where a version lives: the URI a lock entry pins. */
  uriFor(name: string, version: string): string;
  /** Publishes a version once; see the module comment for the rules. */
  put(name: string, version: string, bytes: Buffer, options?: PutOptions): Promise<PutResult>;
  /** Reads a version and checks it against the expected sha256; throws `NotFoundError` or `IntegrityError`. */
  get(name: string, version: string, expectedSha256: string, options?: GetOptions): Promise<Buffer>;
  head(name: string, version: string): Promise<StoredObject | undefined>;
  exists(name: string, version: string): Promise<boolean>;
  /** The versions of a model that are completely written, sorted. */
  listVersions(name: string): Promise<string[]>;
}

export { MODEL_NAME, MODEL_VERSION, SHA256_HEX } from '../../training/identifiers.ts';
export const OBJECT_FILE = 'model.json';

/** Names and versions become paths and keys: refuse anything that could escape the layout. */
export function checkName(name: string): void {
  if (!isModelName(name)) throw new StoreError(`"${name}" is not a valid model name`);
}

export function checkVersion(version: string): void {
  if (!MODEL_VERSION.test(version)) throw new StoreError(`"${version}" is not a valid model version (12 lowercase hex digits)`);
}

export function checkSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new StoreError(`"${sha256}" is not a sha256 digest (64 lowercase hex digits)`);
}

/** `models/<name>/<version>/model.json`, relative to the store's root or prefix. */
export function objectPath(name: string, version: string): string {
  checkName(name);
  checkVersion(version);
  return `models/${name}/${version}/${OBJECT_FILE}`;
}
