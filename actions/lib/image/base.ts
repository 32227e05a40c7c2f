/** Opening the base of a build: an image in a registry, or in an OCI layout (`oci:DIR[:tag]`). */
import { readLayout } from '../oci/layout.ts';
import { pullImage } from '../oci/pull.ts';
import type { PulledImage } from '../oci/pull.ts';
import type { ImageReference } from '../oci/reference.ts';
import type { RegistryClient } from '../oci/registry.ts';
import type { SourceImage } from '../oci/resolve.ts';

export type BaseSource = SourceImage & { origin?: PulledImage['origin'] };

export async function openBase(ref: ImageReference, options: { platform: string; clientFor: (registry: string) => RegistryClient }): Promise<BaseSource> {
  if (ref.kind === 'registry') return pullImage(options.clientFor(ref.registry), ref, { platform: options.platform });
  const image = await readLayout(ref.dir, { platform: options.platform, ...(ref.tag ? { tag: ref.tag } : {}) });
  // A layout's name is a local folder: recorded in the manifest it would tie the digest to this machine.
  delete image.name;
  return image;
}
