/**
 * The identifier rules every layer shares, in one place: a model's name (it becomes a folder, an
 * object key and a URL segment), a version (12 hex digits of the artifact's sha256) and a sha256.
 */
import { z } from 'zod';

export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const MODEL_VERSION = /^[0-9a-f]{12}$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export const modelNameSchema = z
  .string()
  .regex(MODEL_NAME, 'is not a valid model name (lowercase letters, digits, ".", "_" or "-", at most 63)')
  .refine((name) => !name.includes('..'), 'is not a valid model name (".." is not allowed)');
export const modelVersionSchema = z.string().regex(MODEL_VERSION, 'must be 12 lowercase hex digits');
export const sha256Schema = z.string().regex(SHA256_HEX, 'must be 64 lowercase hex digits');

/** Whether `name` can name a model (and so a folder, key and URL segment). */
export function isModelName(name: string): boolean {
  return MODEL_NAME.test(name) && !name.includes('..');
}
