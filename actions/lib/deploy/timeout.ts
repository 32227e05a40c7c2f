/**
 * The deploy timeout as given (whole minutes, from an action input or `--timeout`). 30 minutes
 * fits a rolling deploy with health checks and draining; a blue/green deployment's bake time adds
 * to it. At most 6 hours: no GitHub job runs longer.
 */
import { DEFAULT_TIMEOUT_MS } from '../ecs/deploy.ts';
import { DeployError } from '../ecs/errors.ts';

export const MAX_TIMEOUT_MINUTES = 360;

export function timeoutMsFrom(minutes: string | undefined, field = 'timeout'): number {
  if (minutes === undefined || minutes.trim() === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(minutes);
  if (!/^\d+$/.test(minutes.trim()) || n < 1 || n > MAX_TIMEOUT_MINUTES) {
    throw new DeployError(`the timeout must be a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}, got "${minutes}"`, { field });
  }
  return n * 60_000;
}
