/**
 * The S3 store: `s3://bucket/prefix`, objects at `<prefix>/models/<name>/<version>/model.json`.
 *
 * Immutability:
 * - Below the multipart threshold, one `PutObject` with `If-None-Match: *`: the server refuses to
 *   replace an existing key (412 Precondition Failed), so of two racing publishers exactly one
 *   wins. On 412 we read the object back and compare digests: the same bytes are "already
 *   published", different bytes a `ConflictError`. The body is a Buffer with
 *   `ChecksumAlgorithm: SHA256` and our own `ChecksumSHA256`, so AWS S3 checks the bytes it got
 *   against the digest we computed (RGW ignores the header, which is why we also verify on read).
 * - At or above the threshold, a multipart upload (`@aws-sdk/lib-storage` `Upload`). A part-wise
 *   upload cannot be made conditional on every server, so: look first (HEAD; an existing version
 *   is settled like a 412 without uploading anything), then upload with `IfNoneMatch: "*"` in the
 *   params, which lib-storage passes on to `CompleteMultipartUpload` — AWS S3 honours it there
 *   (conditional writes, 2024) and answers 412 if someone committed first. Ceph RGW (Pacific)
 *   and older S3-compatible servers ignore it there, so afterwards we check the object: its ETag
 *   against the one the completion returned and its recorded digest (AWS), or, as RGW returns no
 *   ETag there, its bytes read back and hashed. A different writer that committed after us is
 *   reported as a conflict. The window that remains on such servers (a writer that committed
 *   between our HEAD and our completion is replaced by us, or one that commits after our check)
 *   only matters for different bytes under one version, and `publishArtifact` accepts only an
 *   artifact's canonical bytes, so two publishers of one version write the same bytes. Readers never see a partial object: an upload becomes visible only when
 *   completed, and an interrupted one leaves only invisible parts (expire them with a bucket
 *   lifecycle rule, `AbortIncompleteMultipartUpload`).
 *
 * Integrity never rests on the server: the sha256 we compute goes into the lock and into the
 * object's metadata (`x-amz-meta-sha256`), and every read recomputes it.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { sha256 } from '../../training/artifact.ts';
import { MlshipError } from '../../training/errors.ts';
import { checkRead, settleExisting } from './common.ts';
import { NotFoundError, StoreError, UnreadableObjectError, storeError } from './errors.ts';
import type { GetOptions, ModelStore, PutOptions, PutResult, StoredObject } from './types.ts';
import { MODEL_VERSION, OBJECT_FILE, checkName, objectPath } from './types.ts';

export const MIB = 1024 * 1024;
/** Artifacts of this many bytes or more go up as multipart uploads. */
export const DEFAULT_MULTIPART_THRESHOLD = 8 * MIB;
export const DEFAULT_PART_SIZE = 8 * MIB;
/** S3 (and RGW) refuse parts under 5 MiB except the last. */
export const MIN_PART_SIZE = 5 * MIB;
const CONTENT_TYPE = 'application/json';

export interface S3StoreOptions {
  /** The client to use: built with `createS3Client`, or handed in by tests. */
  client: S3Client;
  multipartThreshold?: number;
  partSize?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
}

export interface S3ClientOptions {
  /** An S3-compatible endpoint (RGW, MinIO …); switches to path-style addressing and plain checksums. */
  endpoint?: string;
  region?: string;
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Client settings. Without an endpoint: the standard AWS credential chain and region, following
 * region redirects. With an endpoint override: path-style addressing, and checksums only where an
 * operation requires them (the SDK's default aws-chunked streaming with trailing checksums is
 * refused by RGW with 411), region `us-east-1` unless one is given.
 */
export function s3ClientConfig(options: S3ClientOptions = {}): S3ClientConfig {
  const config: S3ClientConfig = {};
  if (options.region) config.region = options.region;
  if (options.credentials) config.credentials = options.credentials;
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
    config.region ??= 'us-east-1';
  } else {
    config.followRegionRedirects = true;
  }
  return config;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client(s3ClientConfig(options));
}

/** `s3://bucket[/prefix]` → bucket and prefix (no leading or trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match) throw new StoreError(`"${uri}" is not an s3://bucket[/prefix] URI`);
  const bucket = match[1]!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new StoreError(`"${bucket}" is not a valid bucket name`, { file: uri });
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) throw new StoreError(`the prefix "${prefix}" may not contain "." or ".." segments`, { file: uri });
  return { bucket, prefix };
}

interface S3Failure {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function httpStatus(err: unknown): number | undefined {
  return (err as S3Failure | undefined)?.$metadata?.httpStatusCode;
}

/** One clear sentence for a failed request, keeping the SDK error as the cause. */
function failure(err: unknown, action: string, uri: string): StoreError {
  if (err instanceof MlshipError) return err as StoreError;
  const e = (err ?? {}) as S3Failure;
  const status = httpStatus(err);
  const name = e.name ?? 'Error';
  let why: string;
  if (name === 'NoSuchBucket') why = 'the bucket does not exist';
  else if (name === 'CredentialsProviderError') why = 'no AWS credentials found (use a profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or a role)';
  else if (name === 'AccessDenied' || status === 403) why = `access denied (${name})`;
  else why = `${name}${e.message && e.message !== name && e.message !== 'UnknownError' ? `: ${e.message}` : ''}`;
  return storeError(`cannot ${action} (${why}${status ? `, HTTP ${status}` : ''})`, { file: uri }, err);
}

export class S3Store implements ModelStore {
  readonly kind = 's3' as const;
  readonly uri: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly multipartThreshold: number;
  readonly partSize: number;
  readonly queueSize: number;

  constructor(uri: string, options: S3StoreOptions) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = options.client;
    this.multipartThreshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? Math.min(DEFAULT_PART_SIZE, Math.max(MIN_PART_SIZE, this.multipartThreshold)));
    this.queueSize = Math.max(1, options.queueSize ?? 4);
  }

  keyFor(name: string, version: string): string {
    return `${this.prefix ? `${this.prefix}/` : ''}${objectPath(name, version)}`;
  }

  uriFor(name: string, version: string): string {
    return `s3://${this.bucket}/${this.keyFor(name, version)}`;
  }

  async put(name: string, version: string, bytes: Buffer, options: PutOptions = {}): Promise<PutResult> {
    const digest = sha256(bytes);
    const multipart = bytes.length >= this.multipartThreshold;
    const ours = { name, version, uri: this.uriFor(name, version), sha256: digest, size: bytes.length, multipart };
    return multipart ? this.putMultipart(ours, bytes, options) : this.putSingle(ours, bytes, options);
  }

  private async putSingle(ours: Ours, bytes: Buffer, options: PutOptions): Promise<PutResult> {
    const Key = this.keyFor(ours.name, ours.version);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: bytes,
            ContentLength: bytes.length,
            ContentType: CONTENT_TYPE,
            IfNoneMatch: '*',
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: Buffer.from(ours.sha256, 'hex').toString('base64'),
            Metadata: metadata(ours.sha256, options.commit),
          }),
        );
        options.onProgress?.({ loaded: bytes.length, total: bytes.length });
        return { status: 'published', uri: ours.uri, sha256: ours.sha256, size: ours.size, multipart: false };
      } catch (err) {
        const status = httpStatus(err);
        if (status === 412) return this.settle(ours, 'precondition-failed', err);
        // AWS: 409 ConditionalRequestConflict while another conditional write to the key is in flight; retry.
        if (status === 409 && attempt < 5) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw failure(err, 'write', ours.uri);
      }
    }
  }

  private async putMultipart(ours: Ours, bytes: Buffer, options: PutOptions): Promise<PutResult> {
    if (await this.head(ours.name, ours.version)) return this.settle(ours, 'exists');
    const upload = new Upload({
      client: this.client,
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: this.keyFor(ours.name, ours.version),
        Body: bytes,
        ContentType: CONTENT_TYPE,
        Metadata: metadata(ours.sha256, options.commit),
        ChecksumAlgorithm: 'SHA256',
        // Sent with CompleteMultipartUpload: AWS S3 refuses to complete over an existing key.
        IfNoneMatch: '*',
      },
    });
    upload.on('httpUploadProgress', (p) => {
      if (p.loaded !== undefined) options.onProgress?.({ loaded: p.loaded, total: bytes.length });
    });
    let completed: string | undefined;
    try {
      completed = (await upload.done()).ETag;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 412 || status === 409) return this.settle(ours, 'precondition-failed', err);
      throw failure(err, 'write (multipart)', ours.uri);
    }
    // Where the server ignored the condition on completion, check that what is there now is what
    // we wrote: the object we completed (its ETag, computed by the server) with our digest. Ceph
    // RGW answers the completion without an ETag, so there the bytes are read back and hashed.
    // Anything else was written over ours and is settled by its bytes (same, or a conflict).
    const now = await this.head(ours.name, ours.version);
    const confirmed = Boolean(completed) && now !== undefined && now.etag === completed && now.sha256 === ours.sha256;
    if (!confirmed) {
      const stored = await this.read(ours.name, ours.version);
      if (!stored || sha256(stored.bytes) !== ours.sha256 || stored.recorded !== ours.sha256) return this.settle(ours, 'raced');
    }
    return { status: 'published', uri: ours.uri, sha256: ours.sha256, size: ours.size, multipart: true };
  }

  /** Someone else's object is at our key: the same bytes are fine, anything else is a conflict. */
  private async settle(ours: Ours, detectedBy: NonNullable<PutResult['detectedBy']>, cause?: unknown): Promise<PutResult> {
    const existing = await this.read(ours.name, ours.version);
    if (!existing) {
      throw cause === undefined ? storeError('the object vanished while publishing', { file: ours.uri }) : failure(cause, 'write', ours.uri);
    }
    return settleExisting(existing.bytes, ours, detectedBy);
  }

  private async read(name: string, version: string, options: GetOptions = {}): Promise<{ bytes: Buffer; recorded?: string } | undefined> {
    const uri = this.uriFor(name, version);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyFor(name, version) }), { abortSignal: options.signal });
      if (!response.Body) throw storeError('the object has no body', { file: uri });
      const max = options.maxBytes ?? Infinity;
      if ((response.ContentLength ?? 0) > max) {
        await response.Body.transformToWebStream().cancel().catch(() => undefined);
        throw new UnreadableObjectError(`${response.ContentLength} bytes, over the limit of ${max} bytes`, { file: uri });
      }
      const bytes = Buffer.from(await response.Body.transformToByteArray());
      return { bytes, recorded: response.Metadata?.sha256 };
    } catch (err) {
      if (httpStatus(err) === 404 && (err as S3Failure).name !== 'NoSuchBucket') return undefined;
      throw failure(err, 'read', uri);
    }
  }

  async get(name: string, version: string, expectedSha256: string, options: GetOptions = {}): Promise<Buffer> {
    const found = await this.read(name, version, options);
    const uri = this.uriFor(name, version);
    if (!found) throw new NotFoundError(name, version, uri);
    return checkRead(found.bytes, { name, version, uri, expected: expectedSha256, recorded: found.recorded });
  }

  async head(name: string, version: string): Promise<StoredObject | undefined> {
    const uri = this.uriFor(name, version);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyFor(name, version) }));
      return { uri, size: r.ContentLength ?? 0, sha256: r.Metadata?.sha256, commit: r.Metadata?.commit, etag: r.ETag, lastModified: r.LastModified };
    } catch (err) {
      if (httpStatus(err) === 404) return undefined; // HEAD has no body, so a missing bucket looks the same
      throw failure(err, 'look up', uri);
    }
  }

  async exists(name: string, version: string): Promise<boolean> {
    return (await this.head(name, version)) !== undefined;
  }

  async listVersions(name: string): Promise<string[]> {
    checkName(name);
    const Prefix = `${this.prefix ? `${this.prefix}/` : ''}models/${name}/`;
    const versions: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }));
      } catch (err) {
        throw failure(err, 'list', `s3://${this.bucket}/${Prefix}`);
      }
      for (const object of page.Contents ?? []) {
        const [version, file, ...rest] = (object.Key ?? '').slice(Prefix.length).split('/');
        if (version && MODEL_VERSION.test(version) && file === OBJECT_FILE && rest.length === 0) versions.push(version);
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return versions.sort();
  }
}

/** The object's metadata: our digest, and the commit that produced it when known. */
function metadata(sha256: string, commit: string | null | undefined): Record<string, string> {
  return commit ? { sha256, commit } : { sha256 };
}

interface Ours {
  name: string;
  version: string;
  uri: string;
  sha256: string;
  size: number;
  multipart: boolean;
}
