/** Reading an image from a registry as a SourceImage (the base of a build). */
import type { RegistryClient } from './registry.ts';
import { formatReference, manifestReference } from './reference.ts';
import type { RegistryReference } from './reference.ts';
import { resolveImage } from './resolve.ts';
import type { ImageStore, SourceImage } from './resolve.ts';

export function registryStore(client: RegistryClient, repository: string): ImageStore {
  return {
    manifest: (reference) => client.getManifest(repository, reference),
    blob: (digest) => client.getBlob(repository, digest),
  };
}

export interface PulledImage extends SourceImage {
  /** Where its blobs are, for a cross-repository mount when pushing to the same registry. */
  origin: { registry: string; repository: string };
}

export async function pullImage(client: RegistryClient, ref: RegistryReference, options: { platform?: string } = {}): Promise<PulledImage> {
  const image = await resolveImage(registryStore(client, ref.repository), manifestReference(ref), { ...options, name: formatReference({ ...ref, digest: undefined }) });
  return { ...image, origin: { registry: ref.registry, repository: ref.repository } };
}
