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
import path from 'node:path';
import type { Lock, LockEntry } from '../registry/lock.ts';
import { readRegularFile } from '../registry/store/file.ts';
import type { GetOptions, OpenStoreOptions } from '../registry/store/index.ts';
import { IntegrityError, NotFoundError, UnreadableObjectError, openStore, storeError } from '../registry/store/index.ts';
import { MlshipError, describeError } from '../training/errors.ts';
import type { ServedModel } from './model.ts';
import type { LoadFailure } from './verify.ts';
import { ModelLoadError, verifyArtifact } from './verify.ts';

export { ModelLoadError, verifyArtifact } from './verify.ts';
export type { LoadFailure } from './verify.ts';

/**
 * Gives the bytes of the artifact a lock entry pins; the caller verifies them. `read` bounds the
 * read: its signal aborts it (the loader's timeout), and it should refuse more than `maxBytes`
 * before reading them (the loader checks the length after, whatever the source does).
 */
export type FetchArtifact = (name: string, entry: LockEntry, read: Required<GetOptions>) => Promise<Uint8Array>;

/** Per fetch attempt (default 60 s): a store that never answers is a failed attempt, not a hang. */
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;
/** The largest artifact read (default 256 MiB): a file that never ends (/dev/zero) cannot fill memory. */
export const DEFAULT_MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

export interface LoadResult {
  models: ServedModel[];
  failures: LoadFailure[];
}

export interface LoadOptions {
  /** Attempts per artifact for retryable fetch errors (default 3), with a growing pause between. */
  attempts?: number;
  retryDelayMs?: number;
  /** Per attempt; default DEFAULT_FETCH_TIMEOUT_MS. */
  fetchTimeoutMs?: number;
  /** Default DEFAULT_MAX_ARTIFACT_BYTES. */
  maxArtifactBytes?: number;
  /** One structured log record per model loaded or refused. */
  log?: (record: Record<string, unknown>) => void;
}

/** Fetches, verifies and compiles every model the lock pins; never throws for one model's failure. */
export async function loadModels(lock: Lock, fetchArtifact: FetchArtifact, options: LoadOptions = {}): Promise<LoadResult> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const delay = options.retryDelayMs ?? 250;
  const names = Object.keys(lock.models).sort();
  const bounds = { timeoutMs: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, maxBytes: options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES };
  const outcomes = await Promise.all(
    names.map(async (name) => {
      const entry = lock.models[name]!;
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        let fetchError: unknown;
        try {
          let bytes: Uint8Array;
          try {
            bytes = await fetchWithin(fetchArtifact, name, entry, bounds);
          } catch (err) {
            fetchError = err;
            throw new ModelLoadError(fetchFailure(err, false), isRetryable(err), { cause: err });
          }
          const model = verifyArtifact(name, entry, bytes);
          options.log?.({ level: 'info', msg: 'model loaded', model: name, version: entry.version, sha256: entry.sha256, ms: round(performance.now() - started) });
          return { ok: true as const, model };
        } catch (err) {
          const failure = err instanceof ModelLoadError ? err : new ModelLoadError(`cannot load: ${(err as Error).message}`, false, { cause: err });
          // The log says where (the object's URI or path); the public reason does not.
          const detail = fetchError === undefined ? failure.message : fetchFailure(fetchError, true);
          if (failure.retryable && attempt < attempts) {
            options.log?.({ level: 'warn', msg: 'model fetch failed, retrying', model: name, version: entry.version, attempt, reason: detail });
            await new Promise((resolve) => setTimeout(resolve, delay * 2 ** (attempt - 1)));
            continue;
          }
          options.log?.({ level: 'error', msg: 'model not served', model: name, version: entry.version, reason: detail });
          return { ok: false as const, failure: { name, entry, reason: failure.message, detail } };
        }
      }
    }),
  );
  const result: LoadResult = { models: [], failures: [] };
  for (const o of outcomes) {
    if (o.ok) {
      result.models.push(o.model);
    } else {
      result.failures.push(o.failure);
    }
  }
  return result;
}

const FETCH_FAILED = 'cannot fetch the artifact';

/** A fetch attempt that took longer than its timeout. */
class FetchTimeoutError extends MlshipError {}

/** One fetch, bounded in time (the source gets the signal; a source that ignores it is left behind) and in size. */
async function fetchWithin(fetchArtifact: FetchArtifact, name: string, entry: LockEntry, bounds: { timeoutMs: number; maxBytes: number }): Promise<Uint8Array> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new FetchTimeoutError(`no answer within ${bounds.timeoutMs} ms`);
      controller.abort(err);
      reject(err);
    }, bounds.timeoutMs);
  });
  try {
    const bytes = await Promise.race([fetchArtifact(name, entry, { signal: controller.signal, maxBytes: bounds.maxBytes }), timedOut]);
    if (bytes.length > bounds.maxBytes) throw new UnreadableObjectError(`${bytes.length} bytes, over the limit of ${bounds.maxBytes} bytes`);
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a fetch failed. `withPlace`: with the object's URI or path (the log); without it, what the
 * public answers may show: the store's own messages (which keep the place apart), a file
 * system error's code, or for anything else its kind, with any URI or path cut out.
 */
function fetchFailure(err: unknown, withPlace: boolean): string {
  // A store that found the digest wrong already says which model and both digests.
  if (err instanceof IntegrityError) return withPlace ? describeError(err) : err.message;
  if (withPlace) return `${FETCH_FAILED}: ${describeError(err)}`;
  if (err instanceof MlshipError) return `${FETCH_FAILED}: ${withoutPlaces(err.message)}`;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return `${FETCH_FAILED}: ${code === 'ENOENT' ? 'no such file' : code}`;
  return `${FETCH_FAILED}: ${err instanceof Error ? withoutPlaces(err.message) : 'failed'}`;
}

/** Cuts URIs and absolute paths out of a message that may quote them. */
function withoutPlaces(message: string): string {
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]*/gi, '<location>').replace(/(^|[\s'"(=])\/[^\s'")]+/g, '$1<path>');
}

/**
 * Whether a fetch error may pass on a second try: not a missing file or object, not a digest the
 * store already found wrong (the model store's NotFoundError / IntegrityError), nor one marked so.
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof NotFoundError || err instanceof IntegrityError || err instanceof UnreadableObjectError) return false;
  const e = err as { code?: string; retryable?: boolean };
  return !(e?.retryable === false || e?.code === 'ENOENT');
}

/** Artifacts in a folder: `DIR/<name>/<version>/model.json`, else `DIR/<name>/model.json`; regular files only. */
export function modelsDirSource(dir: string): FetchArtifact {
  return async (name, entry, read) => {
    const versioned = path.join(dir, name, entry.version, 'model.json');
    try {
      return await readRegularFile(versioned, versioned, read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const plain = path.join(dir, name, 'model.json');
    try {
      return await readRegularFile(plain, plain, read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // the place (both paths) goes to the log only
        const missing = storeError(`model "${name}" version ${entry.version} is in neither <name>/<version>/model.json nor <name>/model.json of the models folder`, { file: `neither ${versioned} nor ${plain} exists` });
        throw Object.assign(missing, { code: 'ENOENT' });
      }
      throw err;
    }
  };
}

/** The model store at `uri` (s3://bucket/prefix or file://…); its `get` verifies the digest as it reads. */
export function storeSource(uri: string, options: OpenStoreOptions = {}): FetchArtifact {
  const store = openStore(uri, options);
  return (name, entry, read) => store.get(name, entry.version, entry.sha256, read);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
