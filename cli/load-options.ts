/**
 * The artifact-loading hardening flags, shared by `mlship serve` and `mlship worker` (both load the
 * pinned models): `--max-artifact-bytes N` (MLSHIP_MAX_ARTIFACT_BYTES) and `--fetch-timeout S`
 * (MLSHIP_FETCH_TIMEOUT, seconds). A flag wins over its variable.
 */
import { DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_MAX_ARTIFACT_BYTES } from '../serving/loader.ts';
import type { LoadOptions } from '../serving/loader.ts';
import { UsageError } from './io.ts';

export const LOAD_FLAGS = { 'max-artifact-bytes': 'MLSHIP_MAX_ARTIFACT_BYTES', 'fetch-timeout': 'MLSHIP_FETCH_TIMEOUT' } as const;
export type LoadFlag = keyof typeof LOAD_FLAGS;

export const loadFlagOptions = () => ({ 'max-artifact-bytes': { type: 'string' as const }, 'fetch-timeout': { type: 'string' as const } });

function atLeastOne(raw: string | undefined, flag: LoadFlag, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} (${LOAD_FLAGS[flag]}) must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

export function loadOptionsFrom(values: Partial<Record<LoadFlag, string>>, env: NodeJS.ProcessEnv): Required<Pick<LoadOptions, 'maxArtifactBytes' | 'fetchTimeoutMs'>> {
  const raw = (flag: LoadFlag) => values[flag] || env[LOAD_FLAGS[flag]] || undefined;
  return {
    maxArtifactBytes: atLeastOne(raw('max-artifact-bytes'), 'max-artifact-bytes', DEFAULT_MAX_ARTIFACT_BYTES),
    fetchTimeoutMs: atLeastOne(raw('fetch-timeout'), 'fetch-timeout', DEFAULT_FETCH_TIMEOUT_MS / 1000) * 1000,
  };
}

/** The same options as flags for a child process (`mlship worker`), so it loads as its server does. */
export const loadOptionsArgs = (o: ReturnType<typeof loadOptionsFrom>): string[] => ['--max-artifact-bytes', String(o.maxArtifactBytes), '--fetch-timeout', String(o.fetchTimeoutMs / 1000)];
