/**
 * `models.lock.json`: which model versions are served. One zod schema; written atomically with
 * sorted keys, two-space indentation and a trailing newline, so a change to one model is a small
 * diff that merges cleanly beside a change to another.
 *
 * The lock names no place: no bucket, path or host. Where artifacts live is configuration (the
 * store URI), and an artifact's key is always `models/<name>/<version>/model.json` under it, so
 * one lock serves a laptop, CI and ECS alike. Each entry records the digests of the inputs its
 * artifact was trained from, so `mlship verify --reproduce` can say which input changed without
 * reading the store; and the commit that was trained when the version was first pinned.
 *
 * A v1 lock (whose entries named their object's URI) is read, its URIs ignored, and written back
 * as v2 on the next write.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Artifact } from '../training/artifact.ts';
import { writeFileAtomic } from '../training/atomic-write.ts';
import { sortKeys } from '../training/canonical-json.ts';
import type { ErrorPlace } from '../training/errors.ts';
import { MlshipError } from '../training/errors.ts';
import { commitIdSchema, modelNameSchema, modelVersionSchema, sha256Schema } from '../training/identifiers.ts';

export class LockError extends MlshipError {}

export const LOCKFILE_VERSION = 2;
export const DEFAULT_LOCK = 'models.lock.json';


export const lockInputsSchema = z.strictObject({
  spec: sha256Schema,
  data: sha256Schema,
  holdout: sha256Schema.nullable(),
  trainer: z.string().min(1),
});
export type LockInputs = z.infer<typeof lockInputsSchema>;
export const INPUT_NAMES = ['spec', 'data', 'holdout', 'trainer'] as const satisfies readonly (keyof LockInputs)[];

const entryFields = {
  version: modelVersionSchema,
  sha256: sha256Schema,
  task: z.enum(['classification', 'regression']),
  metrics: z.record(z.string(), z.number()),
  source: z.strictObject({
    /** The commit trained when this version was first pinned; null when it was trained from uncommitted changes. */
    commit: commitIdSchema.nullable(),
    spec: z.string().min(1),
  }),
};

export const lockEntrySchema = z.strictObject({
  ...entryFields,
  /** The digests the artifact was trained from; null only for an entry carried over from a v1 lock. */
  inputs: lockInputsSchema.nullable(),
});
export type LockEntry = z.infer<typeof lockEntrySchema>;

export const lockSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  models: z.record(modelNameSchema, lockEntrySchema),
});
export type Lock = z.infer<typeof lockSchema>;

const lockV1Schema = z.strictObject({
  lockfileVersion: z.literal(1),
  models: z.record(modelNameSchema, z.strictObject({ ...entryFields, source: z.strictObject({ commit: z.string().nullable(), spec: z.string().min(1) }), uri: z.string() })),
});

export function emptyLock(): Lock {
  return { lockfileVersion: LOCKFILE_VERSION, models: {} };
}

/** Parses lock text (v2, or v1 upgraded); errors name the file, the model and the field. */
export function parseLock(text: string, file: string): Lock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LockError(`not valid JSON (${(err as Error).message})`, { file });
  }
  if ((raw as { lockfileVersion?: unknown } | null)?.lockfileVersion === 1) return upgradeV1(validate(lockV1Schema, raw, file));
  return validate(lockSchema, raw, file);
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, file: string): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const [top, model, ...rest] = issue.path.map(String);
  const place: ErrorPlace =
    top === 'models' && model !== undefined ? { file, model, field: rest.length ? rest.join('.') : undefined } : { file, field: issue.path.join('.') || '(root)' };
  const what =
    issue.code === 'invalid_type' && issue.input === undefined
      ? 'is required'
      : issue.code === 'invalid_key'
        ? (issue.issues[0]?.message ?? issue.message) // the key's own rule, e.g. "is not a valid model name"
        : issue.code === 'invalid_value' && issue.path.join('.') === 'lockfileVersion'
          ? `must be ${LOCKFILE_VERSION} (or 1, which is upgraded)`
          : issue.message;
  throw new LockError(what, place);
}

/** A v1 entry's URI named a place: it is dropped; its inputs were not recorded. */
function upgradeV1(v1: z.infer<typeof lockV1Schema>): Lock {
  const models: Lock['models'] = {};
  for (const [name, { uri: _uri, source, ...entry }] of Object.entries(v1.models)) {
    models[name] = { ...entry, inputs: null, source: { spec: source.spec, commit: source.commit && commitIdSchema.safeParse(source.commit).success ? source.commit : null } };
  }
  return { lockfileVersion: LOCKFILE_VERSION, models };
}

/** A lock and the exact text it was read from (undefined when the file did not exist). */
export interface LoadedLock {
  lock: Lock;
  text: string | undefined;
}

/** Reads a lock; a missing file is an empty lock only when `allowMissing` says so. */
export async function loadLock(file: string, options: { allowMissing?: boolean } = {}): Promise<LoadedLock> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && options.allowMissing) return { lock: emptyLock(), text: undefined };
    throw new LockError(`cannot read the lock (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file }, { cause: err });
  }
  return { lock: parseLock(text, file), text };
}

export async function readLock(file: string, options: { allowMissing?: boolean } = {}): Promise<Lock> {
  return (await loadLock(file, options)).lock;
}

/** The lock's exact text: sorted keys, two spaces, trailing newline. */
export function formatLock(lock: Lock): string {
  return `${JSON.stringify(sortKeys(lockSchema.parse(lock)), null, 2)}\n`;
}

export async function writeLock(file: string, lock: Lock): Promise<void> {
  await writeFileAtomic(file, formatLock(lock));
}

/**
 * A lock with `name` pinned to `entry` (a new object; the input is not changed). While the pinned
 * version stays the same, the recorded commit stays too (it is the commit that first produced the
 * version), so rerunning the pipeline on its own lock commit changes nothing; an unknown (null)
 * commit is filled in.
 */
export function pinEntry(lock: Lock, name: string, entry: LockEntry): Lock {
  const current = lock.models[name];
  const commit = current?.version === entry.version && current.source.commit !== null ? current.source.commit : entry.source.commit;
  return { ...lock, models: { ...lock.models, [name]: { ...entry, source: { ...entry.source, commit } } } };
}

/** A lock without `name` (a model whose folder was deleted). */
export function unpinEntry(lock: Lock, name: string): Lock {
  const { [name]: _removed, ...models } = lock.models;
  return { ...lock, models };
}

/** The lock entry that pins an artifact with the given bytes' sha256, trained at `commit`. */
export function entryFor(artifact: Artifact, sha256: string, source: { commit: string | null; spec: string }): LockEntry {
  const { lineage } = artifact;
  return {
    version: artifact.version,
    sha256,
    task: artifact.task,
    // The headline numbers; the confusion matrix stays in the artifact.
    metrics: Object.fromEntries(Object.entries(artifact.metrics).filter((e): e is [string, number] => typeof e[1] === 'number')),
    inputs: { spec: lineage.spec.sha256, data: lineage.data.sha256, holdout: lineage.holdout?.sha256 ?? null, trainer: lineage.trainer },
    source,
  };
}

/** The spec path a lock entry records for a model (relative to the repository root). */
export function specPathFor(name: string): string {
  return `models/${name}/model.yaml`;
}
