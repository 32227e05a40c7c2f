/**
 * Whether a server serves exactly what a lock pins (a pure comparison of `GET /v1/models` with the
 * lock): every pinned model at its version and sha256, ready, and no model the lock does not pin.
 * An extra model means the image was built from another lock.
 */
import type { Lock } from '../../../registry/lock.ts';

export interface ServedModelInfo {
  name: string;
  version: string;
  sha256?: string;
  ready?: boolean;
  error?: string;
}

/** One sentence per difference; empty when the server serves the lock exactly. */
export function versionProblems(lock: Lock, served: readonly ServedModelInfo[]): string[] {
  const problems: string[] = [];
  const byName = new Map(served.map((m) => [m.name, m]));
  for (const [name, entry] of Object.entries(lock.models).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const m = byName.get(name);
    if (!m) problems.push(`model "${name}" (pinned ${entry.version}) is not served`);
    else if (m.version !== entry.version) problems.push(`model "${name}" is served at version ${m.version}, the lock pins ${entry.version}`);
    else if (m.sha256 !== undefined && m.sha256 !== entry.sha256) problems.push(`model "${name}" ${entry.version} is served with sha256 ${m.sha256}, the lock pins ${entry.sha256}`);
    else if (m.ready === false) problems.push(`model "${name}" ${entry.version} is not ready${m.error ? `: ${m.error}` : ''}`);
  }
  for (const m of served) if (!(m.name in lock.models)) problems.push(`model "${m.name}" ${m.version} is served but the lock does not pin it`);
  return problems;
}
