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
import { checkName } from './types.ts';

export * from './errors.ts';
export * from './types.ts';
export { FileStore } from './file.ts';
export { S3Store, createS3Client, s3ClientConfig, parseS3Uri, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MIN_PART_SIZE } from './s3.ts';
export type { S3ClientOptions, S3StoreOptions } from './s3.ts';

export const DEFAULT_STORE_URI = 'file://.mlship/store';

export interface OpenStoreOptions {
  /** Base for a relative file path (default: the process's working directory). */
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

/** The store URI to use: the flag, else `MLSHIP_STORE`, else the embedded default. */
export function storeUriFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.MLSHIP_STORE || DEFAULT_STORE_URI;
}

/** Store options from the environment: the endpoint override and region (for callers that read env). */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<OpenStoreOptions, 'endpoint' | 'region'> {
  return {
    endpoint: env.MLSHIP_S3_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
  };
}

export function openStore(uri: string, options: OpenStoreOptions = {}): ModelStore {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const client = options.s3Client ?? createS3Client({ endpoint: options.endpoint, region: options.region });
    return new S3Store(uri, { client, multipartThreshold: options.multipartThreshold, partSize: options.partSize, queueSize: options.queueSize });
  }
  if (scheme === 'file' || scheme === undefined) return new FileStore(fileStoreRoot(uri, options.cwd ?? process.cwd()));
  throw new StoreError(`unsupported store "${uri}": use s3://bucket/prefix or file://path`);
}

/** `file:///abs`, `file://relative/path`, or a plain path → an absolute folder. */
export function fileStoreRoot(uri: string, cwd: string): string {
  if (!uri.toLowerCase().startsWith('file://')) {
    if (!uri) throw new StoreError('the store URI is empty');
    return path.resolve(cwd, uri);
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
  return path.resolve(cwd, decodeURIComponent(rest));
}

/**
 * Splits an object URI from a lock entry into its store, model and version, e.g.
 * `s3://team-models/prod/models/iris/4f1c2a9e07b3/model.json` → `s3://team-models/prod`, iris,
 * 4f1c2a9e07b3; so a reader can open the store a lock points at.
 */
export function parseObjectUri(uri: string): { storeUri: string; name: string; version: string } {
  const match = /^((?:s3|file):\/\/.+?)\/models\/([^/]+)\/([0-9a-f]{12})\/model\.json$/.exec(uri);
  if (!match) throw new StoreError(`"${uri}" is not a model object URI (<store>/models/<name>/<version>/model.json)`);
  const name = match[2]!;
  checkName(name);
  return { storeUri: match[1]!, name, version: match[3]! };
}
