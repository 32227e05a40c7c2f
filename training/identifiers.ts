/**
 * The identifier rules every layer shares, in one place: a model's name (it becomes a folder, an
 * object key and a URL segment), a version (12 hex digits of the artifact's sha256), a sha256, and
 * a git commit id (provenance in the lock and the results).
 */
import { z } from 'zod';

/**
 * A model's name without anchors, for patterns that embed it (a path, a key): a lowercase letter
 * or digit, then up to 62 of those or ".", "_", "-", with no ".." anywhere (so it can never step
 * out of a folder or key prefix). The one rule: every check of a name is this pattern.
 */
export const MODEL_NAME_PART = '[a-z0-9](?:[a-z0-9_-]|\\.(?!\\.)){0,62}';
export const MODEL_NAME = new RegExp(`^${MODEL_NAME_PART}$`);
/** What a valid name is, for error messages. */
export const MODEL_NAME_RULE = 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, at most 63, and no ".."';
export const MODEL_VERSION = /^[0-9a-f]{12}$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A full git commit id: SHA-1, or SHA-256 for repositories that use it. */
export const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export const modelNameSchema = z.string().regex(MODEL_NAME, `is not a valid model name (${MODEL_NAME_RULE})`);
export const modelVersionSchema = z.string().regex(MODEL_VERSION, 'must be 12 lowercase hex digits');
export const sha256Schema = z.string().regex(SHA256_HEX, 'must be 64 lowercase hex digits');
export const commitIdSchema = z.string().regex(COMMIT_ID, 'must be a full git commit id (40 or 64 lowercase hex digits)');

/** Whether `name` can name a model (and so a folder, key and URL segment). */
export function isModelName(name: string): boolean {
  return MODEL_NAME.test(name);
}
