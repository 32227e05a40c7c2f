/** The model a request names: served, or a 404 (unknown name or version) / 503 (loading, or refused). */
import type { ServingContext } from '../context.ts';
import { clip, RequestError } from '../errors.ts';
import type { ServedModel } from '../model.ts';
import type { ServingState } from '../state.ts';

export function lookup(state: ServingState, c: ServingContext, name: string, version: string | undefined): ServedModel {
  const model = state.models.get(name);
  if (model) {
    if (version !== undefined && version !== model.version) {
      throw new RequestError(404, `model "${name}" has no version "${clip(version)}" (serving version ${model.version})`, { model: name, version: clip(version, 100) });
    }
    const info = c.env.info;
    info.model = name;
    info.version = model.version;
    return model;
  }
  const failure = state.failures.get(name);
  if (failure) {
    c.env.info.model = name;
    throw new RequestError(503, `model "${name}" version ${failure.entry.version} is not served: ${failure.reason}`, { model: name, version: failure.entry.version });
  }
  if (state.loading) throw new RequestError(503, 'the pinned models are still loading', { model: clip(name, 100) }, { 'Retry-After': '1' });
  const known = [...state.models.keys()].sort();
  throw new RequestError(404, `no model named "${clip(name)}"${known.length ? ` (served: ${known.join(', ')})` : ' (the lock pins no models)'}`, { model: clip(name, 100) });
}

export interface ListedModel {
  name: string;
  version: string;
  ready: boolean;
  error?: string;
  model?: ServedModel;
}

/** Every pinned model, served or refused, by name. */
export function listModels(state: ServingState): ListedModel[] {
  const out: ListedModel[] = [];
  for (const m of state.models.values()) out.push({ name: m.name, version: m.version, ready: !state.draining, model: m });
  for (const f of state.failures.values()) out.push({ name: f.name, version: f.entry.version, ready: false, error: f.reason });
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The `GET /v1/models` entry of a listed model. */
export function modelInfo(state: ServingState, m: ListedModel) {
  if (m.model) return { ...m.model.info, ready: m.ready };
  const f = state.failures.get(m.name)!;
  return { name: m.name, version: f.entry.version, sha256: f.entry.sha256, task: f.entry.task, ready: false, error: f.reason, metrics: f.entry.metrics, source: f.entry.source };
}
