/**
 * Tests that need an outside tool (scikit-learn, Ceph, …) skip locally when it is missing, but
 * under CI=true a missing tool is a failure: CI must never pass by skipping a suite.
 */
import { execFileSync } from 'node:child_process';
import { it } from 'vitest';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function commandWorks(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the suite can run. When the tool is missing, registers a test that fails in CI (and
 * is skipped elsewhere) naming how to install it.
 */
export function requireTool(available: boolean, what: string, install: string): boolean {
  if (!available) {
    if (IN_CI) it(`needs ${what}`, () => { throw new Error(`${what} is missing: ${install}`); });
    else it.skip(`needs ${what} (${install})`, () => {});
  }
  return available;
}

export const DEBIAN_PYTHON = '/usr/bin/python3';
export const sklearnAvailable = () => commandWorks(DEBIAN_PYTHON, ['-c', 'import sklearn']);
