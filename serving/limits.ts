/**
 * The limits one serving process enforces, and the in-flight gate. Body bytes and the body budget
 * are enforced while reading (body.ts), rows by the encoders (inputs.ts, csv.ts).
 */
import { RequestError } from './errors.ts';
import type { Metrics } from './metrics.ts';

export interface Limits {
  /** Largest request body, in bytes (default 10 MiB). */
  maxBodyBytes: number;
  /** Most rows in one request (default 100,000). */
  maxRows: number;
  /** Most prediction requests being handled at once by one process (default 128). */
  maxInflight: number;
  /**
   * Most request-body bytes one process holds while reading bodies (default 64 MiB): without it,
   * `maxInflight` slow uploads of `maxBodyBytes` each could hold over a gigabyte.
   */
  maxBufferedBytes: number;
  /** The whole request body within this many milliseconds (default 60 s), else 408. */
  bodyTimeoutMs: number;
  /** Request bodies arrive at least this fast on average after their first 5 s (default 1 KiB/s), else 408. */
  minBodyBytesPerSecond: number;
}

export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 10 * 1024 * 1024, maxRows: 100_000, maxInflight: 128, maxBufferedBytes: 64 * 1024 * 1024, bodyTimeoutMs: 60_000, minBodyBytesPerSecond: 1_024 };

/**
 * Takes an in-flight slot for a prediction request, or refuses with 429; the caller gives it back
 * with `metrics.inflight--` (the count is the `mlship_inflight_requests` gauge and what draining waits for).
 */
export function inflightGate(metrics: Metrics, maxInflight: number): () => void {
  return () => {
    if (metrics.inflight >= maxInflight) {
      throw new RequestError(429, `too many requests in flight (limit ${maxInflight} per process); retry shortly`, { limit: maxInflight }, { 'Retry-After': '1' });
    }
    metrics.inflight++;
  };
}
