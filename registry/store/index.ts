/**
 * Opening a model store from its URI: `s3://bucket[/prefix]` or `file://path` (a relative path is
 * relative to the working directory; `file://.mlship/store` is the embedded default). A plain path
 * without a scheme is taken as a folder.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { StoreError } from './errors.ts';
import { FileStore } from './file.ts';
import { S3Store, createS3Client } from './s3.ts';
import type { ModelStore } from './types.ts';

export * from './errors.ts';
export * from './types.ts';
export { FileStore } from './file.ts';
export { S3Store, createS3Client, s3ClientConfig, parseS3Uri, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MIN_PART_SIZE } from './s3.ts';
export type { S3ClientOptions, S3StoreOptions } from './s3.ts';

export const DEFAULT_STORE_URI = 'file://.mlship/store';

export interface OpenStoreOptions {
  /** Base for a relative file path (a relative one without it is an error). */
  cwd?: string;
  /** The S3 client to use (tests pass one pointed at their gateway); otherwise one is created. */
  s3Client?: S3Client;
  /** S3-compatible endpoint override (the command line takes it from `MLSHIP_S3_ENDPOINT`). */
  endpoint?: string;
  region?: string;
  multipartThreshold?: number;
  partSize?: number;
  queueSize?: number;
}

export function openStore(uri: string, options: OpenStoreOptions = {}): ModelStore {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const client = options.s3Client ?? createS3Client({ endpoint: options.endpoint, region: options.region });
    return new S3Store(uri, { client, multipartThreshold: options.multipartThreshold, partSize: options.partSize, queueSize: options.queueSize });
  }
  if (scheme === 'file' || scheme === undefined) return new FileStore(fileStoreRoot(uri, options.cwd));
  throw new StoreError(`unsupported store "${uri}": use s3://bucket/prefix or file://path`);
}

/** `file:///abs`, `file://relative/path`, or a plain path → an absolute folder. */
export function fileStoreRoot(uri: string, cwd: string | undefined): string {
  const relative = (p: string) => {
    if (cwd === undefined) throw new StoreError(`the store "${uri}" is a relative folder, and no base folder was given to resolve it`);
    return path.resolve(cwd, p);
  };
  if (!uri.toLowerCase().startsWith('file://')) {
    if (!uri) throw new StoreError('the store URI is empty');
    return path.isAbsolute(uri) ? path.resolve(uri) : relative(uri);
  }
  const rest = uri.slice('file://'.length);
  if (rest.startsWith('/') || rest.startsWith('localhost/')) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw new StoreError(`"${uri}" is not a usable file URI (${(err as Error).message})`, {}, { cause: err });
    }
  }
  if (!rest) throw new StoreError(`"${uri}" names no folder`);
  return relative(decodeURIComponent(rest));
}
