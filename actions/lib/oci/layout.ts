/**
 * OCI image layouts on disk (`oci:DIR[:tag]`: `oci-layout`, `index.json`, `blobs/sha256/<hex>`),
 * as skopeo and umoci read and write them. Reading resolves a tag (the
 * `org.opencontainers.image.ref.name` annotation) to an image, verifying every blob against its
 * digest. Writing puts the blobs first, each by an atomic rename, and `index.json` last, also by
 * rename: a crash leaves the old index or the new one, never half of one, and never an index
 * naming a blob that is not there.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../training/atomic-write.ts';
import { digestHex, isDigest, sha256Digest } from './digest.ts';
import type { Digest } from './digest.ts';
import { ImageError } from './errors.ts';
import { MediaType, indexSchema, parseJson } from './manifest.ts';
import type { Descriptor, Index } from './manifest.ts';
import type { ImageToPush } from './push.ts';
import { resolveImage } from './resolve.ts';
import type { ImageStore, SourceImage } from './resolve.ts';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });

const blobPath = (dir: string, digest: string) => path.join(dir, 'blobs', 'sha256', digestHex(digest));

export async function readIndex(dir: string): Promise<Index | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, 'index.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseJson(indexSchema, bytes, `${path.join(dir, 'index.json')}`);
}

async function readBlob(dir: string, digest: string): Promise<Buffer> {
  if (!isDigest(digest)) throw new ImageError(`"${digest}" is not a sha256 digest`, { file: dir });
  const file = blobPath(dir, digest);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ImageError(`the layout has no blob ${digest}`, { file }, { cause: err });
  }
  const got = sha256Digest(bytes);
  if (got !== digest) throw new ImageError(`blob ${digest} has digest ${got}: the layout is damaged`, { file });
  return bytes;
}

/** The index entry for a tag; with no tag, the only entry. */
function entryFor(index: Index, dir: string, tag: string | undefined): Descriptor {
  const entries = tag === undefined ? index.manifests : index.manifests.filter((m) => m.annotations?.[REF_NAME] === tag);
  const file = path.join(dir, 'index.json');
  if (entries.length === 1) return entries[0]!;
  const names = index.manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean).join(', ') || 'none';
  if (tag === undefined) throw new ImageError(`the layout holds ${index.manifests.length} images: name one with oci:DIR:tag (tags: ${names})`, { file });
  throw new ImageError(entries.length === 0 ? `the layout has no image tagged "${tag}" (tags: ${names})` : `the layout has ${entries.length} images tagged "${tag}"`, { file });
}

export function layoutStore(dir: string, index: Index): ImageStore & { top(tag: string | undefined): Descriptor } {
  return {
    top: (tag) => entryFor(index, dir, tag),
    async manifest(reference) {
      const entry = isDigest(reference) ? index.manifests.find((m) => m.digest === reference) : undefined;
      const bytes = await readBlob(dir, reference);
      return { bytes, mediaType: entry?.mediaType ?? '', digest: reference as Digest };
    },
    blob: (digest) => readBlob(dir, digest),
  };
}

export async function readLayout(dir: string, options: { tag?: string; platform?: string } = {}): Promise<SourceImage> {
  const index = await readIndex(dir);
  if (!index) throw new ImageError('not an OCI image layout (no index.json)', { file: dir });
  const store = layoutStore(dir, index);
  const top = store.top(options.tag);
  return resolveImage(store, top.digest, { ...(options.platform ? { platform: options.platform } : {}), name: `oci:${dir}${options.tag ? `:${options.tag}` : ''}` });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes an image into a layout (created if need be), under `tag` when given; other images stay. */
export async function writeLayout(dir: string, image: ImageToPush, options: { tag?: string } = {}): Promise<{ blobsWritten: number; bytesWritten: number }> {
  let blobsWritten = 0;
  let bytesWritten = 0;
  const put = async (digest: string, bytes: Uint8Array) => {
    if (sha256Digest(bytes) !== digest) throw new ImageError(`the bytes given for blob ${digest} do not have that digest`);
    if (await exists(blobPath(dir, digest))) return;
    await writeFileAtomic(blobPath(dir, digest), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    blobsWritten++;
    bytesWritten += bytes.byteLength;
  };
  for (const blob of image.blobs) {
    if (await exists(blobPath(dir, blob.descriptor.digest))) continue;
    const bytes = blob.bytes ?? (await blob.read?.());
    if (!bytes) throw new ImageError(`there is nothing to read blob ${blob.descriptor.digest} from`, { file: dir });
    await put(blob.descriptor.digest, bytes);
  }
  await put(image.manifest.digest, image.manifest.bytes);
  if (!(await exists(path.join(dir, 'oci-layout')))) await writeFileAtomic(path.join(dir, 'oci-layout'), LAYOUT_FILE);
  const index = (await readIndex(dir)) ?? { schemaVersion: 2 as const, mediaType: MediaType.ociIndex, manifests: [] };
  const entry: Descriptor = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.byteLength };
  if (options.tag) entry.annotations = { [REF_NAME]: options.tag };
  const others = index.manifests.filter((m) => (options.tag ? m.annotations?.[REF_NAME] !== options.tag : !(m.digest === entry.digest && !m.annotations?.[REF_NAME])));
  await writeFileAtomic(path.join(dir, 'index.json'), JSON.stringify({ ...index, manifests: [...others, entry] }));
  return { blobsWritten, bytesWritten };
}
