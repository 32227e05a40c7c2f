/**
 * One ECS call, retried with exponential backoff while ECS throttles it (the describe calls of a
 * long rollout share the account's API rate with everything else). Any other failure becomes an
 * EcsCallError naming the operation. The SDK client's own retries still run first; this covers
 * throttling that outlasts them.
 */
import type { Clock } from './clock.ts';
import { EcsCallError } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (default 8). */
  retries?: number;
  /** First delay; each retry doubles it (default 1 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

export function isThrottling(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return THROTTLING.has(err.name) || status === 429;
}

export type Send = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

export function retryingSend(clock: Clock, policy: RetryPolicy = {}): Send {
  const retries = policy.retries ?? 8;
  const base = policy.baseDelayMs ?? 1000;
  const max = policy.maxDelayMs ?? 20_000;
  return async (operation, call) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        if (isThrottling(err) && attempt < retries) {
          // Half fixed, half random: spreads the retries of concurrent callers apart.
          const delay = Math.min(max, base * 2 ** attempt);
          await clock.sleep(delay / 2 + Math.random() * (delay / 2));
          continue;
        }
        if (err instanceof Error) throw new EcsCallError(operation, err.name, err.message, { cause: err });
        throw err;
      }
    }
  };
}
