/**
 * Finds the operation GitHub's description has for a method and a request path. Parameters
 * marked `x-multi-segment` (a file path, a ref such as `heads/feature/x`, `base...head`) may span
 * several segments, wherever they stand in the template (`/commits/{ref}/check-runs`).
 */
import type { HttpMethod, Operation } from './openapi-description.ts';

export interface RouteMatch {
  operation: Operation;
  /** path parameters, percent-decoded, still strings */
  pathParams: Record<string, string>;
}

type Segment = { literal: string } | { param: string; multi: boolean };

interface CompiledTemplate {
  operation: Operation;
  segments: Segment[];
  literals: number;
}

export class OpenApiRouter {
  readonly #byMethod = new Map<string, CompiledTemplate[]>();

  constructor(operations: readonly Operation[]) {
    for (const operation of operations) {
      const multi = new Set(operation.parameters.filter((p) => p.in === 'path' && p['x-multi-segment']).map((p) => p.name));
      const segments: Segment[] = operation.template.split('/').slice(1).map((s) => {
        const name = /^\{(\w+)\}$/.exec(s)?.[1];
        return name === undefined ? { literal: s } : { param: name, multi: multi.has(name) };
      });
      const list = this.#byMethod.get(operation.method) ?? [];
      list.push({ operation, segments, literals: segments.filter((s) => 'literal' in s).length });
      this.#byMethod.set(operation.method, list);
    }
  }

  /** The best match (most literal segments wins, as `/commits/{ref}/check-runs` over `/commits/{ref}`), or undefined. */
  match(method: string, pathname: string): RouteMatch | undefined {
    const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
    let best: { template: CompiledTemplate; params: Record<string, string> } | undefined;
    for (const template of this.#byMethod.get(method.toLowerCase() as HttpMethod) ?? []) {
      if (best && template.literals <= best.template.literals) continue;
      const params = matchSegments(template.segments, 0, parts, 0, {});
      if (params) best = { template, params };
    }
    return best && { operation: best.template.operation, pathParams: best.params };
  }
}

function matchSegments(segments: Segment[], si: number, parts: string[], pi: number, params: Record<string, string>): Record<string, string> | undefined {
  const segment = segments[si];
  if (segment === undefined) return pi === parts.length ? params : undefined;
  if ('literal' in segment) return parts[pi] === segment.literal ? matchSegments(segments, si + 1, parts, pi + 1, params) : undefined;
  const remainingSegments = segments.length - si - 1;
  const longest = segment.multi ? parts.length - pi - remainingSegments : 1;
  for (let take = longest; take >= 1; take--) {
    const raw = parts.slice(pi, pi + take);
    if (raw.some((p) => p === '')) continue;
    let value: string;
    try {
      value = raw.map((p) => decodeURIComponent(p)).join('/');
    } catch {
      return undefined;
    }
    const found = matchSegments(segments, si + 1, parts, pi + take, { ...params, [segment.param]: value });
    if (found) return found;
  }
  return undefined;
}
