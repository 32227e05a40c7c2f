/**
 * Pushing an image to a repository: every blob is looked up first (HEAD) and only the missing
 * ones are sent (mounted from the base's repository when it is on the same registry), then the
 * manifest goes under each tag. In a repository with immutable tags (ECR answers
 * `400 TAG_INVALID … cannot be overwritten because the tag is immutable`), a tag that already
 * names the same digest is success; one that names another digest is an error.
 */
import type { Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import type { BuiltImage } from './image.ts';
import type { Descriptor } from './manifest.ts';
import type { RegistryClient } from './registry.ts';
import type { RegistryReference } from './reference.ts';
import type { SourceImage } from './resolve.ts';

export interface PushableBlob {
  descriptor: Descriptor;
  /** The bytes, or how to read them (from the base) when the target does not have the blob. */
  bytes?: Uint8Array;
  read?: () => Promise<Uint8Array>;
  /** A repository of the same registry that has the blob, to mount it from. */
  mountFrom?: string;
}

export interface ImageToPush {
  manifest: { bytes: Uint8Array; digest: Digest; mediaType: string };
  /** The config and the layers. */
  blobs: PushableBlob[];
}

export type TagStatus = 'pushed' | 'unchanged';

export interface PushReport {
  digest: Digest;
  /** Blob bytes sent to the registry (manifests not counted). */
  bytesUploaded: number;
  blobsUploaded: number;
  blobsMounted: number;
  /** Blobs the repository already had. */
  blobsReused: number;
  tags: { tag: string; status: TagStatus }[];
}

/** What to push for a built image: its config and new layers, and the base's layers read (or mounted) from the base. */
export function imageToPush(built: BuiltImage, base: SourceImage & { origin?: { registry: string; repository: string } }, target: { registry: string }): ImageToPush {
  const mountFrom = base.origin && base.origin.registry === target.registry ? base.origin.repository : undefined;
  const appended = new Map(built.appended.filter((a) => a.bytes).map((a) => [a.descriptor.digest, a.bytes!]));
  const blobs: PushableBlob[] = [{ descriptor: built.config.descriptor, bytes: built.config.bytes }];
  for (const descriptor of built.layers) {
    const bytes = appended.get(descriptor.digest);
    if (bytes) blobs.push({ descriptor, bytes });
    else blobs.push({ descriptor, read: () => base.readBlob(descriptor.digest), ...(mountFrom ? { mountFrom } : {}) });
  }
  return { manifest: built.manifest, blobs };
}

async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function pushImage(client: RegistryClient, repository: string, image: ImageToPush, options: { tags?: readonly string[]; concurrency?: number } = {}): Promise<PushReport> {
  const report: PushReport = { digest: image.manifest.digest, bytesUploaded: 0, blobsUploaded: 0, blobsMounted: 0, blobsReused: 0, tags: [] };
  const unique = [...new Map(image.blobs.map((b) => [b.descriptor.digest, b])).values()];
  await inPool(unique, options.concurrency ?? 4, async (blob) => {
    const { digest } = blob.descriptor;
    if ((await client.blobSize(repository, digest)) !== undefined) {
      report.blobsReused++;
      return;
    }
    if (blob.mountFrom && blob.mountFrom !== repository && (await client.mountBlob(repository, digest, blob.mountFrom))) {
      report.blobsMounted++;
      return;
    }
    const bytes = blob.bytes ?? (await blob.read?.());
    if (!bytes) throw new RegistryError('the repository lacks this blob and there is nothing to upload it from', { registry: client.registry, repository, digest });
    const { bytesSent } = await client.uploadBlob(repository, digest, bytes);
    report.bytesUploaded += bytesSent;
    report.blobsUploaded++;
  });
  const tags = options.tags ?? [];
  if (tags.length === 0) await client.putManifest(repository, image.manifest.digest, image.manifest.bytes, image.manifest.mediaType);
  report.tags = await putTags(client, repository, image.manifest, tags);
  return report;
}

/** Whether a refused manifest PUT means "this tag exists and may not move" (ECR, Harbor, …). */
export function isImmutableTagError(err: unknown): err is RegistryError {
  if (!(err instanceof RegistryError)) return false;
  return err.code === 'TAG_IMMUTABLE' || ((err.status === 400 || err.status === 409 || err.status === 412) && /immutable/i.test(err.message));
}

/** Puts a manifest (already in the repository or not) under each tag. */
export async function putTags(client: RegistryClient, repository: string, manifest: ImageToPush['manifest'], tags: readonly string[]): Promise<{ tag: string; status: TagStatus }[]> {
  const results: { tag: string; status: TagStatus }[] = [];
  for (const tag of tags) {
    try {
      await client.putManifest(repository, tag, manifest.bytes, manifest.mediaType);
      results.push({ tag, status: 'pushed' });
    } catch (err) {
      if (!isImmutableTagError(err)) throw err;
      // Ask with the media type pushed: a registry may convert a manifest to what Accept names.
      const existing = await client.headManifest(repository, tag, manifest.mediaType);
      if (existing?.digest !== manifest.digest) {
        throw new RegistryError(`tag ${tag} is immutable and already names ${existing?.digest ?? 'another image'}, not ${manifest.digest}`, { ...err.details, digest: tag }, { cause: err });
      }
      results.push({ tag, status: 'unchanged' });
    }
  }
  return results;
}

/** The digest a tag names, or undefined when the repository has no such tag. */
export async function lookupTag(client: RegistryClient, ref: RegistryReference, options: { accept?: string } = {}): Promise<Digest | undefined> {
  return (await client.headManifest(ref.repository, ref.tag ?? 'latest', options.accept))?.digest;
}
