/**
 * A job's objects in the model store's bucket, under `jobs/<id>/`: the uploaded CSV
 * (`input.csv`) and the results (`results.csv`). Streamed in and out, never held whole. Each is
 * written once and never replaced: the file store links a finished temporary file to its name
 * (link refuses to replace), S3 writes with `If-None-Match: *`; so a retried attempt that finds
 * the result already there keeps the first one. Deleted by the cleanup when the job expires.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { MlshipError } from '../../training/errors.ts';
import type { ModelStore } from '../../registry/store/index.ts';
import { FileStore, S3Store } from '../../registry/store/index.ts';

import { jobKey } from './keys.ts';

export class JobObjectError extends MlshipError {}

export { jobKey } from './keys.ts';
export type { JobObjectName } from './keys.ts';

export interface JobObjects {
  readonly kind: 'file' | 's3';
  /** Writes the object from a stream, once; `created` false when it was already there (kept as it is). */
  putOnce(key: string, body: Readable): Promise<{ created: boolean }>;
  /** The object's bytes as a stream, or undefined when there is none. */
  read(key: string): Promise<Readable | undefined>;
  size(key: string): Promise<number | undefined>;
  /** Removes every object of the job (missing ones are fine). */
  deleteJob(id: string): Promise<void>;
  /** Removes job folders left empty (an upload cut off by a crash) and untouched since `before`; S3 has no folders. */
  removeEmptyFolders(before: Date): Promise<number>;
}

export class FileJobObjects implements JobObjects {
  readonly kind = 'file' as const;
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  async putOnce(key: string, body: Readable): Promise<{ created: boolean }> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // An attempt killed mid-write left its partial file: the retry removes it.
    const base = path.basename(file);
    for (const entry of await readdir(path.dirname(file))) if (entry.startsWith(`${base}.`) && entry.endsWith('.tmp')) await unlink(path.join(path.dirname(file), entry)).catch(() => {});
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o444 }));
      const handle = await open(temp, 'r');
      await handle.sync().finally(() => handle.close());
      try {
        await link(temp, file); // never replaces: the first complete write wins
        return { created: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { created: false };
        throw err;
      }
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    if ((await this.size(key)) === undefined) return undefined;
    return createReadStream(this.file(key), { highWaterMark: 1 << 20 });
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.file(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async deleteJob(id: string): Promise<void> {
    await rm(path.join(this.root, 'jobs', id), { recursive: true, force: true });
  }

  async removeEmptyFolders(before: Date): Promise<number> {
    const jobs = path.join(this.root, 'jobs');
    let removed = 0;
    for (const entry of await readdir(jobs, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(jobs, entry.name);
      const info = await stat(dir).catch(() => undefined);
      if (!info || info.mtime >= before) continue; // an upload may be about to write in it
      // rmdir removes only an empty folder: one that filled meanwhile stays
      if (await rmdir(dir).then(() => true, () => false)) removed++;
    }
    return removed;
  }
}

export class S3JobObjects implements JobObjects {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  constructor(client: S3Client, bucket: string, prefix: string) {
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async putOnce(key: string, body: Readable): Promise<{ created: boolean }> {
    if ((await this.size(key)) !== undefined) {
      for await (const _ of body); // the caller counts what it streams: let it run to the end
      return { created: false };
    }
    try {
      // lib-storage passes If-None-Match on to PutObject and CompleteMultipartUpload: a racing writer gets 412.
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: this.key(key), Body: body, IfNoneMatch: '*', ContentType: 'text/csv' } }).done();
      return { created: true };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return { created: false };
      if (body.errored) throw body.errored; // the upload's own fault (413, cut short), not the store's
      throw new JobObjectError(`cannot write s3://${this.bucket}/${this.key(key)} (${(err as Error).name})`, {}, { cause: err });
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return out.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return out.ContentLength;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  async deleteJob(id: string): Promise<void> {
    const Objects = (['input.csv', 'results.csv'] as const).map((n) => ({ Key: this.key(jobKey(id, n)) }));
    await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }));
  }

  async removeEmptyFolders(): Promise<number> {
    return 0;
  }
}

/** The job objects beside a model store's models (same folder or bucket and prefix). */
export function jobObjectsFor(store: ModelStore): JobObjects {
  if (store instanceof FileStore) return new FileJobObjects(store.root);
  if (store instanceof S3Store) return new S3JobObjects(store.client, store.bucket, store.prefix);
  throw new JobObjectError(`no job objects for a ${store.kind} store`);
}
