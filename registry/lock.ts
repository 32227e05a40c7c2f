/**
 * `models.lock.json`: which model versions are served. One zod schema; written atomically with
 * sorted keys, two-space indentation and a trailing newline, so a change to one model is a small
 * diff that merges cleanly beside a change to another.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Artifact } from '../training/artifact.ts';
import { sortKeys } from '../training/canonical-json.ts';
import { MlshipError } from '../training/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';

export class LockError extends MlshipError {}

export const LOCKFILE_VERSION = 1;
export const DEFAULT_LOCK = 'models.lock.json';

export const lockEntrySchema = z.strictObject({
  version: z.string().regex(/^[0-9a-f]{12}$/, 'must be 12 lowercase hex digits'),
  uri: z.string().regex(/^(s3|file):\/\/.+\/model\.json$/, 'must be an s3:// or file:// URI ending in /model.json'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  task: z.enum(['classification', 'regression']),
  metrics: z.record(z.string(), z.number()),
  source: z.strictObject({ commit: z.string().nullable(), spec: z.string() }),
});
export type LockEntry = z.infer<typeof lockEntrySchema>;

export const lockSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  models: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'is not a valid model name'), lockEntrySchema),
});
export type Lock = z.infer<typeof lockSchema>;

export function emptyLock(): Lock {
  return { lockfileVersion: LOCKFILE_VERSION, models: {} };
}

/** Parses lock text; errors name the file, the model and the field. */
export function parseLock(text: string, file: string): Lock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LockError(`not valid JSON (${(err as Error).message})`, { file });
  }
  const result = lockSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const [top, model, ...rest] = issue.path.map(String);
    const place =
      top === 'models' && model !== undefined
        ? { file, model, field: rest.length ? rest.join('.') : undefined }
        : { file, field: issue.path.join('.') || '(root)' };
    const what =
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'is required'
        : issue.code === 'invalid_key'
          ? (issue.issues[0]?.message ?? issue.message) // the key's own rule, e.g. "is not a valid model name"
          : issue.message;
    throw new LockError(what, place);
  }
  return result.data;
}

/** Reads a lock; a missing file is an empty lock only when `allowMissing` says so. */
export async function readLock(file: string, options: { allowMissing?: boolean } = {}): Promise<Lock> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && options.allowMissing) return emptyLock();
    throw new LockError(`cannot read the lock (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, { cause: err });
  }
  return parseLock(text, file);
}

/** The lock's exact text: sorted keys, two spaces, trailing newline. */
export function formatLock(lock: Lock): string {
  return `${JSON.stringify(sortKeys(lockSchema.parse(lock)), null, 2)}\n`;
}

export async function writeLock(file: string, lock: Lock): Promise<void> {
  await writeFileAtomic(file, formatLock(lock));
}

/** A lock with one model's entry set (a new object; the input is not changed). */
export function setEntry(lock: Lock, name: string, entry: LockEntry): Lock {
  return { ...lock, models: { ...lock.models, [name]: entry } };
}

/** The lock entry that pins a published artifact. */
export function entryFor(artifact: Artifact, uri: string, sha256: string, specPath: string): LockEntry {
  return {
    version: artifact.version,
    uri,
    sha256,
    task: artifact.task,
    // The headline numbers; the confusion matrix stays in the artifact.
    metrics: Object.fromEntries(Object.entries(artifact.metrics).filter((e): e is [string, number] => typeof e[1] === 'number')),
    source: { commit: artifact.lineage.commit, spec: specPath },
  };
}
