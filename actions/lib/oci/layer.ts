/**
 * A reproducible layer from files held in memory: the same list of files gives the same tar
 * bytes everywhere (so the same diff_id), and the same gzip bytes for the pinned Node/zlib (so the
 * same blob digest). Nothing in it depends on the machine, the clock or the order files were
 * given in:
 * - entries sorted by path, each parent directory written explicitly before its children;
 * - owner 0:0 with empty user and group names; modes 0644, or 0755 for directories and for
 *   files with any execute bit (the only permission difference that matters to a program);
 * - every mtime 1970-01-01T00:00:01Z, as jib does (1 s, not 0: some tools treat 0 as "unset");
 * - gzip at a fixed level with a header whose mtime is 0 and whose OS byte is forced to 255
 *   ("unknown", as Go's compress/gzip writes), since zlib writes the OS it was built for.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlibConstants } from 'node:zlib';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import { sha256Digest } from './digest.ts';
import type { Digest } from './digest.ts';
import { ImageError } from './errors.ts';
import { MediaType } from './manifest.ts';

const gzip = promisify(gzipCallback);

export const LAYER_MTIME = new Date('1970-01-01T00:00:01Z');
export const GZIP_LEVEL = 6;
const GZIP_OS_UNKNOWN = 0xff;
const FILE_MODE = 0o644;
const EXECUTABLE_MODE = 0o755;
const DIRECTORY_MODE = 0o755;

export interface LayerFile {
  /** Where the file lands in the image, `/app/server.js` or `app/server.js`. */
  path: string;
  bytes: Uint8Array;
  /** Only the execute bits count (see above); default 0644. */
  mode?: number;
}

export interface Layer {
  /** The gzip-compressed tar: the blob pushed to the registry. */
  bytes: Uint8Array;
  /** sha256 of `bytes`: the blob's address. */
  digest: Digest;
  /** sha256 of the uncompressed tar: what the image config lists in rootfs.diff_ids. */
  diffId: Digest;
  size: number;
  mediaType: typeof MediaType.ociLayerGzip;
}

/** `/app//x/` → `app/x`; refuses paths that climb (`..`) or are empty. */
export function normalizeLayerPath(raw: string): string {
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new ImageError(`layer path "${raw}" is not a file path inside the image`);
  return parts.join('/');
}

interface Entry {
  header: Header;
  bytes?: Uint8Array;
}

/** The tar entries in their fixed order: directories implied by the files, then sorted by path. */
export function layerEntries(files: readonly LayerFile[]): Entry[] {
  const entries = new Map<string, Entry>();
  const header = (name: string, type: 'file' | 'directory', mode: number, size = 0): Header => ({
    // Directories end in "/", as GNU tar and Docker write them (tar-stream would not add it).
    name: type === 'directory' ? `${name}/` : name,
    type,
    mode,
    size,
    mtime: LAYER_MTIME,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  for (const file of files) {
    const name = normalizeLayerPath(file.path);
    const taken = entries.get(name);
    if (taken) throw new ImageError(`layer path "${file.path}" is ${taken.header.type === 'directory' ? 'both a file and a directory' : 'given twice'}`);
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const existing = entries.get(dir);
      if (existing && existing.header.type !== 'directory') throw new ImageError(`layer path "${dir}" is both a file and a directory`);
      if (!existing) entries.set(dir, { header: header(dir, 'directory', DIRECTORY_MODE) });
    }
    const mode = (file.mode ?? FILE_MODE) & 0o111 ? EXECUTABLE_MODE : FILE_MODE;
    entries.set(name, { header: header(name, 'file', mode, file.bytes.byteLength), bytes: file.bytes });
  }
  // Code-unit order, not locale order: the same everywhere. A directory "a" sorts before "a/b".
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** The uncompressed tar of the files. */
export async function layerTar(files: readonly LayerFile[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  for (const entry of layerEntries(files)) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (entry.bytes) tar.entry(entry.header, Buffer.from(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength), done);
      else tar.entry(entry.header, done);
    });
  }
  tar.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** gzip with the fixed level and header (see the top of this file). */
export async function gzipReproducibly(bytes: Uint8Array): Promise<Buffer> {
  const out = await gzip(bytes, { level: GZIP_LEVEL, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  // RFC 1952 header: ID1 ID2 CM FLG MTIME(4) XFL OS. Node leaves FLG and MTIME at 0; the OS byte is
  // the build platform's, so it is set here. The CRC covers the data only, so this keeps it valid.
  out.writeUInt32LE(0, 4);
  out[9] = GZIP_OS_UNKNOWN;
  return out;
}

export async function buildLayer(files: readonly LayerFile[]): Promise<Layer> {
  const tar = await layerTar(files);
  const bytes = await gzipReproducibly(tar);
  return { bytes, digest: sha256Digest(bytes), diffId: sha256Digest(tar), size: bytes.byteLength, mediaType: MediaType.ociLayerGzip };
}
