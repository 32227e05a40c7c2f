/**
 * Where a serving image goes: a repository of a registry, or an OCI image layout on disk
 * (`oci:DIR`, the embedded default that needs no registry). Both answer the same questions: which
 * image a tag names, which layers an earlier image has (to reuse by diff_id), how to add tags to
 * an existing image, and how to push a new one.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { digestHex } from '../oci/digest.ts';
import type { Digest } from '../oci/digest.ts';
import { layersByDiffId } from '../oci/image.ts';
import type { KnownLayer } from '../oci/image.ts';
import { REF_NAME, layoutStore, readIndex, writeLayout } from '../oci/layout.ts';
import { imageConfigSchema, manifestSchema, parseJson } from '../oci/manifest.ts';
import type { Descriptor, Manifest } from '../oci/manifest.ts';
import type { ImageToPush, TagStatus } from '../oci/push.ts';
import { pushImage, putTags } from '../oci/push.ts';
import type { RegistryClient } from '../oci/registry.ts';
import { ImageError, RegistryError } from '../oci/errors.ts';

export interface TaggedManifest {
  digest: Digest;
  bytes: Uint8Array;
  mediaType: string;
}

export interface PushOutcome {
  bytesUploaded: number;
  blobsUploaded: number;
  /** Blobs the target already had (or mounted from the base's repository). */
  blobsReused: number;
  /** Layers sent: the image's layers less those the target had. */
  layersUploaded: number;
  tags: { tag: string; status: TagStatus }[];
}

export interface ImageTarget {
  /** `registry/repository` or `oci:DIR`: the image is `${name}@${digest}`. */
  readonly name: string;
  /** The registry host when the target is one (for cross-repository mounts from the base). */
  readonly registry?: string;
  find(tag: string): Promise<TaggedManifest | undefined>;
  knownLayers(tag: string): Promise<Map<string, KnownLayer> | undefined>;
  tag(manifest: TaggedManifest, tags: readonly string[]): Promise<{ tag: string; status: TagStatus }[]>;
  push(image: ImageToPush, tags: readonly string[]): Promise<PushOutcome>;
}

export function registryTarget(client: RegistryClient, repository: string): ImageTarget {
  const find = async (tag: string): Promise<TaggedManifest | undefined> => {
    try {
      const got = await client.getManifest(repository, tag);
      return { digest: got.digest, bytes: got.bytes, mediaType: got.mediaType };
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  };
  return {
    name: `${client.registry}/${repository}`,
    registry: client.registry,
    find,
    async knownLayers(tag) {
      const found = await find(tag);
      const manifest = found && asManifest(found);
      if (!manifest) return undefined;
      const config = parseJson(imageConfigSchema, await client.getBlob(repository, manifest.config.digest), `config ${manifest.config.digest}`);
      return layersByDiffId(manifest, config);
    },
    tag: (manifest, tags) => putTags(client, repository, manifest, tags),
    async push(image, tags) {
      const [config, ...layers] = image.blobs;
      // Counted before the push, which reports blobs only in total: was the config new?
      const configNew = config ? (await client.blobSize(repository, config.descriptor.digest)) === undefined : false;
      const report = await pushImage(client, repository, image, { tags });
      return {
        bytesUploaded: report.bytesUploaded,
        blobsUploaded: report.blobsUploaded,
        blobsReused: report.blobsReused + report.blobsMounted,
        layersUploaded: Math.min(layers.length, report.blobsUploaded - (configNew ? 1 : 0)),
        tags: report.tags,
      };
    },
  };
}

/** The manifest of a tagged image, or undefined for an index (another tool's multi-platform image: no layers to offer). */
function asManifest(found: TaggedManifest): Manifest | undefined {
  try {
    return parseJson(manifestSchema, found.bytes, `manifest ${found.digest}`);
  } catch {
    return undefined;
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

export function layoutTarget(dir: string): ImageTarget {
  const find = async (tag: string): Promise<TaggedManifest | undefined> => {
    const index = await readIndex(dir);
    const entry = index?.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    if (!index || !entry) return undefined;
    const got = await layoutStore(dir, index).manifest(entry.digest);
    return { digest: got.digest, bytes: got.bytes, mediaType: entry.mediaType };
  };
  const write = async (image: ImageToPush, tags: readonly string[]) => {
    if (tags.length === 0) throw new ImageError('an image written to a layout needs a tag', { file: dir });
    for (const tag of tags) await writeLayout(dir, image, { tag });
  };
  return {
    name: `oci:${dir}`,
    find,
    async knownLayers(tag) {
      const found = await find(tag);
      const index = await readIndex(dir);
      const manifest = found && asManifest(found);
      if (!manifest || !index) return undefined;
      const store = layoutStore(dir, index);
      return layersByDiffId(manifest, parseJson(imageConfigSchema, await store.blob(manifest.config.digest), `config ${manifest.config.digest}`));
    },
    async tag(manifest, tags) {
      // Re-tagging in a layout rewrites index.json only: the blobs are there.
      await write({ manifest, blobs: [] }, tags);
      return tags.map((tag) => ({ tag, status: 'pushed' as const }));
    },
    async push(image, tags) {
      // Counted as for a registry: blobs (config and layers) the layout lacked, manifests aside.
      const blobs = [...new Map(image.blobs.map((b) => [b.descriptor.digest, b.descriptor])).values()];
      const missing: Descriptor[] = [];
      for (const d of blobs) if (!(await exists(path.join(dir, 'blobs', 'sha256', digestHex(d.digest))))) missing.push(d);
      await write(image, tags);
      const configDigest = image.blobs[0]?.descriptor.digest;
      return {
        bytesUploaded: missing.reduce((n, d) => n + d.size, 0),
        blobsUploaded: missing.length,
        blobsReused: blobs.length - missing.length,
        layersUploaded: missing.filter((d) => d.digest !== configDigest).length,
        tags: tags.map((tag) => ({ tag, status: 'pushed' as const })),
      };
    },
  };
}
