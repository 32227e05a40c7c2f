/**
 * The file store: a local folder with the same layout as the bucket, the embedded default
 * (`file://.mlship/store`). A version is written to a temporary file beside its final name,
 * flushed, made read-only, then `link()`ed to `model.json`: link never replaces an existing name,
 * so of two racing publishers exactly one wins and the other finds the winner's file (EEXIST). A
 * crash leaves at most a stray temporary file, which is never a version: readers only see
 * `model.json`, and it appears complete or not at all.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256 } from '../../training/artifact.ts';
import { MlshipError } from '../../training/errors.ts';
import { checkRead, settleExisting } from './common.ts';
import { NotFoundError, UnreadableObjectError, storeError } from './errors.ts';
import type { GetOptions, ModelStore, PutOptions, PutResult, StoredObject } from './types.ts';
import { MODEL_VERSION, OBJECT_FILE, checkName, objectPath } from './types.ts';

/** Bytes written per write call, so progress (and a crash) can land mid-file. */
const CHUNK = 1 << 20;

export class FileStore implements ModelStore {
  readonly kind = 'file' as const;
  readonly uri: string;
  /** The absolute root folder. */
  readonly root: string;

  constructor(root: string) {
    if (!path.isAbsolute(root)) throw storeError(`the file store root must be an absolute path (got "${root}")`, {});
    this.root = path.resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  fileFor(name: string, version: string): string {
    return path.join(this.root, ...objectPath(name, version).split('/'));
  }

  uriFor(name: string, version: string): string {
    return pathToFileURL(this.fileFor(name, version)).href;
  }

  async put(name: string, version: string, bytes: Buffer, options: PutOptions = {}): Promise<PutResult> {
    const file = this.fileFor(name, version);
    const ours = { name, version, uri: this.uriFor(name, version), sha256: sha256(bytes), size: bytes.length, multipart: false };
    const existing = await readIfExists(file, ours.uri);
    if (existing) return settleExisting(existing, ours, 'exists');

    const dir = path.dirname(file);
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw storeError(`cannot create the folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: dir }, err);
    }
    const temp = path.join(dir, `.${OBJECT_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o444);
      try {
        let at = 0;
        while (at < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, at, Math.min(CHUNK, bytes.length - at));
          at += bytesWritten;
          options.onProgress?.({ loaded: at, total: bytes.length });
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, file); // fails with EEXIST instead of replacing: the no-overwrite commit
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const winner = await readIfExists(file, ours.uri);
        if (!winner) throw err;
        return settleExisting(winner, ours, 'link-exists');
      }
      await syncDir(dir);
      return { status: 'published', uri: ours.uri, sha256: ours.sha256, size: ours.size, multipart: false };
    } catch (err) {
      if (err instanceof MlshipError) throw err; // a ConflictError from settling, already clear
      throw storeError(`cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, err);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  async get(name: string, version: string, expectedSha256: string, options: GetOptions = {}): Promise<Buffer> {
    const uri = this.uriFor(name, version);
    const bytes = await readIfExists(this.fileFor(name, version), uri, options);
    if (!bytes) throw new NotFoundError(name, version, uri);
    return checkRead(bytes, { name, version, uri, expected: expectedSha256 });
  }

  async head(name: string, version: string): Promise<StoredObject | undefined> {
    const file = this.fileFor(name, version);
    try {
      const info = await stat(file);
      return { uri: this.uriFor(name, version), size: info.size, lastModified: info.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw storeError(`cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, err);
    }
  }

  async exists(name: string, version: string): Promise<boolean> {
    return (await this.head(name, version)) !== undefined;
  }

  async listVersions(name: string): Promise<string[]> {
    checkName(name);
    const dir = path.join(this.root, 'models', name);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeError(`cannot list (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: dir }, err);
    }
    const versions: string[] = [];
    for (const entry of entries.filter((e) => MODEL_VERSION.test(e)).sort()) {
      if (await this.exists(name, entry)) versions.push(entry); // a crashed write leaves a folder without model.json
    }
    return versions;
  }
}

async function readIfExists(file: string, uri: string, options: GetOptions = {}): Promise<Buffer | undefined> {
  try {
    return await readRegularFile(file, uri, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (err instanceof MlshipError) throw err;
    if ((err as Error).name === 'AbortError') throw storeError(`cannot read (${abortReason(options.signal)})`, { file: uri }, err);
    throw storeError(`cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: uri }, err);
  }
}

/**
 * A regular file's bytes, refusing anything else (`UnreadableObjectError`): a FIFO would block the
 * read for ever and a device such as /dev/zero never ends, whatever a symlink makes them look
 * like. Opened without blocking (a FIFO's open would wait for a writer), then checked on the open
 * descriptor, so a swap between check and read changes nothing. `place` names it in errors.
 */
export async function readRegularFile(file: string, place: string, options: GetOptions = {}): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnreadableObjectError(`not a regular file (${info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file'})`, { file: place });
    const max = options.maxBytes ?? Infinity;
    const tooLarge = (size: number) => new UnreadableObjectError(`${size} bytes, over the limit of ${max} bytes`, { file: place });
    if (info.size > max) throw tooLarge(info.size);
    const bytes = await handle.readFile({ signal: options.signal });
    if (bytes.length > max) throw tooLarge(bytes.length); // it grew while being read
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Why a signal aborted, for a message. */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : 'aborted';
}

/** Makes the new directory entry durable (a no-op where directories cannot be opened for sync). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort: some file systems refuse fsync on a directory
  }
}
