/**
 * From a tag or digest to one image (manifest + config), wherever manifests and blobs are read
 * from (a registry or a layout): an index or manifest list is narrowed to the wanted platform,
 * and the config is checked to be for that platform.
 */
import type { Digest } from './digest.ts';
import { ImageError } from './errors.ts';
import type { BaseImage } from './image.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, MediaType, imageConfigSchema, indexSchema, manifestSchema, parseJson } from './manifest.ts';
import { DEFAULT_PLATFORM, parsePlatform, selectPlatform } from './platform.ts';

export interface ImageStore {
  /** A manifest or index by tag or digest, with its media type and digest. */
  manifest(reference: string): Promise<{ bytes: Uint8Array; mediaType: string; digest: Digest }>;
  blob(digest: string): Promise<Uint8Array>;
}

/** An image that can be built on: its parsed documents and a way to read its layers. */
export interface SourceImage extends BaseImage {
  digest: Digest;
  /** The manifest bytes as stored (their sha256 is `digest`). */
  manifestBytes: Uint8Array;
  readBlob(digest: string): Promise<Uint8Array>;
}

function kindOf(bytes: Uint8Array, mediaType: string): { kind: 'index' | 'manifest'; mediaType: string } {
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: string; manifests?: unknown };
  const type = doc.mediaType ?? (MANIFEST_MEDIA_TYPES.includes(mediaType) || INDEX_MEDIA_TYPES.includes(mediaType) ? mediaType : undefined);
  if (type && INDEX_MEDIA_TYPES.includes(type)) return { kind: 'index', mediaType: type };
  if (type && MANIFEST_MEDIA_TYPES.includes(type)) return { kind: 'manifest', mediaType: type };
  if (type) throw new ImageError(`media type ${type} is not an image manifest or index`);
  return Array.isArray(doc.manifests) ? { kind: 'index', mediaType: MediaType.ociIndex } : { kind: 'manifest', mediaType: MediaType.ociManifest };
}

export async function resolveImage(store: ImageStore, reference: string, options: { platform?: string; name?: string } = {}): Promise<SourceImage> {
  const platform = options.platform ?? DEFAULT_PLATFORM;
  let got = await store.manifest(reference);
  let kind = kindOf(got.bytes, got.mediaType);
  if (kind.kind === 'index') {
    const index = parseJson(indexSchema, got.bytes, `index ${got.digest}`);
    const chosen = selectPlatform(index, platform);
    got = await store.manifest(chosen.digest);
    kind = kindOf(got.bytes, got.mediaType);
    if (kind.kind !== 'manifest') throw new ImageError(`index ${reference} names ${chosen.digest} for ${platform}, which is not an image manifest`);
  }
  const manifest = parseJson(manifestSchema, got.bytes, `manifest ${got.digest}`);
  const config = parseJson(imageConfigSchema, await store.blob(manifest.config.digest), `config ${manifest.config.digest}`);
  const want = parsePlatform(platform);
  if (config.os !== want.os || config.architecture !== want.architecture) {
    throw new ImageError(`image ${reference} is for ${config.os}/${config.architecture}, not ${platform}`);
  }
  const image: SourceImage = { manifest, mediaType: kind.mediaType, config, digest: got.digest, manifestBytes: got.bytes, readBlob: (d) => store.blob(d) };
  if (options.name) image.name = options.name;
  return image;
}
