/**
 * The image a deploy puts in the task definition must be pinned by digest
 * (`<repository>@sha256:<64 hex>`): a tag can move after the rollout, so the tasks ECS starts
 * later (scaling, replacements) could run other bytes than the ones that were verified.
 */
import { parseReference } from '../oci/reference.ts';
import { DeployError } from './errors.ts';

export interface PinnedImage {
  /** As given: what goes in the task definition. */
  image: string;
  digest: string;
}

export function pinnedImage(image: string): PinnedImage {
  let ref;
  try {
    ref = parseReference(image);
  } catch (err) {
    throw new DeployError(`the image "${image}" is not a valid reference`, { field: 'image' }, { cause: err });
  }
  // A tag beside the digest is refused too: which of the two ECS pulls by is not the reader's guess.
  if (ref.kind !== 'registry' || !ref.digest || ref.tag !== undefined) {
    throw new DeployError(`the image "${image}" is not pinned by digest: give <repository>@sha256:<64 hex digits> (a tag can move)`, { field: 'image' });
  }
  return { image, digest: ref.digest };
}

/** The digest an image reference pins, if it pins one. */
export function digestOf(image: string | undefined): string | undefined {
  return image ? /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1] : undefined;
}
