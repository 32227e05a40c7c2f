/**
 * The serving image's config changes: command, working folder, port, environment, a non-root
 * user, the source label, and one label per pinned model version. Nothing per commit or per build
 * (no time, no revision): the commit is an extra tag, never inside the image.
 */
import type { Lock } from '../../../registry/lock.ts';
import type { ConfigChanges } from '../oci/image.ts';
import { APP_DIR, SERVING_COMMAND, SERVING_PORT } from './paths.ts';

/** The official node images' `node` user. */
export const SERVING_USER = '1000:1000';
export const MODEL_LABEL_PREFIX = 'dev.mlship.model.';

export function modelLabels(lock: Lock): Record<string, string> {
  return Object.fromEntries(Object.entries(lock.models).map(([name, entry]) => [`${MODEL_LABEL_PREFIX}${name}`, entry.version]));
}

export function servingConfig(lock: Lock, options: { source?: string } = {}): ConfigChanges {
  return {
    // The command is the whole invocation (no Entrypoint): a base's entrypoint script is cleared.
    entrypoint: [],
    cmd: [...SERVING_COMMAND],
    workingDir: APP_DIR,
    exposedPorts: [`${SERVING_PORT}/tcp`],
    env: { MLSHIP_PORT: String(SERVING_PORT), NODE_ENV: 'production' },
    user: SERVING_USER,
    labels: modelLabels(lock),
    ...(options.source ? { source: options.source } : {}),
  };
}
