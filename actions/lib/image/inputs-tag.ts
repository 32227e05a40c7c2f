/**
 * The inputs tag, `inputs-<16 hex>`: a name for an image computed before building it, from what
 * its digest is a function of: the base image (its platform manifest's digest, and the name the
 * manifest records), the serving bundle's inputs, the lock's bytes, the source label, and the
 * recipe version of this builder. A deploy looks the tag up first and, when the target has it,
 * deploys that image without building: `git revert` of a change redeploys at once.
 *
 * A hit must mean "the same image": so the bundle is identified by what it is built from (git tree
 * hashes) or by its own digest, never by a guess, and the recipe version changes whenever this
 * builder would lay out an image differently.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../training/canonical-json.ts';

/** Bump when the same inputs would give another image (layout, config, layer rules). */
export const IMAGE_RECIPE = 'mlship.serving-image/1';
export const INPUTS_TAG_PREFIX = 'inputs-';
export const INPUTS_TAG_PATTERN = /^inputs-[0-9a-f]{16}$/;

/** What the serving bundle is built from, known without building it. */
export type BundleInputs =
  /** Git object ids of the sources (`HEAD:serving`, …, `HEAD:package-lock.json`), by path. */
  | { kind: 'sources'; trees: Record<string, string> }
  /** A bundle built beforehand (what a published action ships): its sha256. */
  | { kind: 'bundle'; sha256: string };

export interface ImageInputs {
  base: { digest: string; name?: string };
  platform: string;
  bundle: BundleInputs;
  lockSha256: string;
  source?: string;
}

/** The canonical document the tag hashes (for a report that says why two tags differ). */
export function inputsDocument(inputs: ImageInputs): string {
  return canonicalJson({
    recipe: IMAGE_RECIPE,
    base: { digest: inputs.base.digest, name: inputs.base.name ?? null },
    platform: inputs.platform,
    bundle: inputs.bundle,
    lock: inputs.lockSha256,
    source: inputs.source ?? null,
  });
}

export function inputsTag(inputs: ImageInputs): string {
  return `${INPUTS_TAG_PREFIX}${createHash('sha256').update(inputsDocument(inputs)).digest('hex').slice(0, 16)}`;
}
