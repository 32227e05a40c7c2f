/**
 * Loading what the lock pins. For each entry: fetch the artifact's bytes (through an injected
 * `FetchArtifact`, so the model store, a folder baked into the image or a test can supply them),
 * check their sha256 against the lock, parse them (`parseArtifact` also checks the version against
 * the content), check name, version and task against the lock entry, and compile. A model that
 * fails any step is never served: it is reported with the reason, and keeps the server not ready.
 *
 * Sources built in here:
 * - `modelsDirSource(dir)`: artifacts baked into an image, at `DIR/<name>/<version>/model.json`
 *   (the store's own key layout, so several versions can sit side by side), or, when that file is
 *   absent, `DIR/<name>/model.json` (what `mlship train --out DIR` writes). Either way the digest
 *   pinned in the lock decides whether it is served.
 * - `storeSource(uri)`: the model store (`--store`, `MLSHIP_STORE`), at the key the lock implies.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lock, LockEntry } from '../registry/lock.ts';
import type { OpenStoreOptions } from '../registry/store/index.ts';
import { IntegrityError, NotFoundError, openStore } from '../registry/store/index.ts';
import { describeError } from '../training/errors.ts';
import type { ServedModel } from './model.ts';
import type { LoadFailure, VerifiedArtifact } from './verify.ts';
import { ModelLoadError, verifyArtifact } from './verify.ts';

// Kept apart (verify.ts) so a cluster worker checks bytes without importing the store or its SDK.
export { ModelLoadError, verifyArtifact } from './verify.ts';
export type { LoadFailure, VerifiedArtifact } from './verify.ts';

/** Gives the bytes of the artifact a lock entry pins; the caller verifies them. */
export type FetchArtifact = (name: string, entry: LockEntry) => Promise<Uint8Array>;

export interface LoadResult {
  verified: VerifiedArtifact[];
  models: ServedModel[];
  failures: LoadFailure[];
}

export interface LoadOptions {
  /** Attempts per artifact for retryable fetch errors (default 3), with a growing pause between. */
  attempts?: number;
  retryDelayMs?: number;
  /** One structured log record per model loaded or refused. */
  log?: (record: Record<string, unknown>) => void;
}

/** Fetches, verifies and compiles every model the lock pins; never throws for one model's failure. */
export async function loadModels(lock: Lock, fetchArtifact: FetchArtifact, options: LoadOptions = {}): Promise<LoadResult> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const delay = options.retryDelayMs ?? 250;
  const names = Object.keys(lock.models).sort();
  const outcomes = await Promise.all(
    names.map(async (name) => {
      const entry = lock.models[name]!;
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        try {
          let bytes: Uint8Array;
          try {
            bytes = await fetchArtifact(name, entry);
          } catch (err) {
            // A store that found the digest wrong already says which model and both digests.
            const reason = err instanceof IntegrityError ? describeError(err) : `cannot fetch the artifact: ${describeError(err)}`;
            throw new ModelLoadError(reason, isRetryable(err), { cause: err });
          }
          const model = verifyArtifact(name, entry, bytes);
          options.log?.({ level: 'info', msg: 'model loaded', model: name, version: entry.version, sha256: entry.sha256, ms: round(performance.now() - started) });
          return { ok: true as const, verified: { name, entry, bytes }, model };
        } catch (err) {
          const failure = err instanceof ModelLoadError ? err : new ModelLoadError(`cannot load: ${(err as Error).message}`, false, { cause: err });
          if (failure.retryable && attempt < attempts) {
            options.log?.({ level: 'warn', msg: 'model fetch failed, retrying', model: name, version: entry.version, attempt, reason: failure.message });
            await new Promise((resolve) => setTimeout(resolve, delay * 2 ** (attempt - 1)));
            continue;
          }
          options.log?.({ level: 'error', msg: 'model not served', model: name, version: entry.version, reason: failure.message });
          return { ok: false as const, failure: { name, entry, reason: failure.message } };
        }
      }
    }),
  );
  const result: LoadResult = { verified: [], models: [], failures: [] };
  for (const o of outcomes) {
    if (o.ok) {
      result.verified.push(o.verified);
      result.models.push(o.model);
    } else {
      result.failures.push(o.failure);
    }
  }
  return result;
}

/**
 * Whether a fetch error may pass on a second try: not a missing file or object, not a digest the
 * store already found wrong (the model store's NotFoundError / IntegrityError), nor one marked so.
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof NotFoundError || err instanceof IntegrityError) return false;
  const e = err as { code?: string; retryable?: boolean };
  return !(e?.retryable === false || e?.code === 'ENOENT');
}

/** Artifacts in a folder: `DIR/<name>/<version>/model.json`, else `DIR/<name>/model.json`. */
export function modelsDirSource(dir: string): FetchArtifact {
  return async (name, entry) => {
    const versioned = path.join(dir, name, entry.version, 'model.json');
    try {
      return await readFile(versioned);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      return await readFile(path.join(dir, name, 'model.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw Object.assign(new Error(`neither ${versioned} nor ${path.join(dir, name, 'model.json')} exists`), { code: 'ENOENT' });
      }
      throw err;
    }
  };
}

/** The model store at `uri` (s3://bucket/prefix or file://…); its `get` verifies the digest as it reads. */
export function storeSource(uri: string, options: OpenStoreOptions = {}): FetchArtifact {
  const store = openStore(uri, options);
  return (name, entry) => store.get(name, entry.version, entry.sha256);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
