/**
 * What one server process knows: the models it serves, the ones it refused and why, and whether it
 * is still loading or already draining. Ready means: loading finished, every pinned model is
 * verified and served, and not draining.
 */
import type { LoadFailure } from './verify.ts';
import type { ServedModel } from './model.ts';

export interface ServingState {
  loading: boolean;
  draining: boolean;
  models: Map<string, ServedModel>;
  failures: Map<string, LoadFailure>;
  /** Worker processes serving (for /metrics); 1 without a cluster. */
  workers: number;
}

export function createState(): ServingState {
  return { loading: true, draining: false, models: new Map(), failures: new Map(), workers: 1 };
}

/** A state that serves the given models now (tests, benchmarks). */
export function stateWith(models: readonly ServedModel[], failures: readonly LoadFailure[] = []): ServingState {
  const state = createState();
  installModels(state, models, failures);
  return state;
}

export function installModels(state: ServingState, models: readonly ServedModel[], failures: readonly LoadFailure[]): void {
  state.models = new Map(models.map((m) => [m.name, m]));
  state.failures = new Map(failures.map((f) => [f.name, f]));
  state.loading = false;
}

/** Why the server is not ready, or undefined when it is. */
export function notReadyReason(state: ServingState): string | undefined {
  if (state.draining) return 'the server is draining (shutting down)';
  if (state.loading) return 'the pinned models are still loading';
  if (state.failures.size > 0) {
    return [...state.failures.values()].map((f) => `model "${f.name}" version ${f.entry.version} is not served: ${f.reason}`).join('; ');
  }
  return undefined;
}
