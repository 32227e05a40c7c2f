/** What a route module gives the server (one handler per GitHub operationId) and what it gets. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Actor, PermissionName, TokenGrant } from './auth.ts';
import type { Links } from './links.ts';
import type { Operation } from './openapi-description.ts';
import { notFound } from './errors.ts';
import { paginate } from './pagination.ts';
import type { FakeRepository, FakeState } from './state.ts';

export interface RouteContext {
  operation: Operation;
  /** path and query parameters, coerced to their schema types, defaults filled */
  params: Record<string, unknown>;
  /** the JSON body, valid for the operation's schema (defaults filled) */
  body: unknown;
  grant: TokenGrant;
  actor: Actor;
  /** the `{owner}/{repo}` of the path */
  repository: FakeRepository;
  state: FakeState;
  links: Links;
  requestUrl: URL;
  headers: IncomingHttpHeaders;
  nextId(): number;
  /** every repository by `owner/name`, for a fork's head repository and such */
  findRepository(fullName: string): FakeRepository | undefined;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  operationId: string;
  /** any one of these, at read level for GET and write level otherwise, lets a token through */
  permission: readonly PermissionName[];
  handle(context: RouteContext): Promise<RouteResult> | RouteResult;
}

/** A 200 with one page of `all`, rendered, with the Link header; `key` wraps it as `{ total_count, [key]: page }`. */
export function pageResult<T>(context: RouteContext, all: readonly T[], render: (item: T) => unknown, key?: string): RouteResult {
  const page = paginate(all, context.params, context.requestUrl);
  const items = page.items.map(render);
  return {
    status: 200,
    body: key ? { total_count: all.length, [key]: items } : items,
    ...(page.link ? { headers: { link: page.link } } : {}),
  };
}

/** A string parameter of the path or query (the validator made sure required ones are there). */
export function stringParam(context: RouteContext, name: string): string {
  const value = context.params[name];
  return typeof value === 'string' ? value : String(value ?? '');
}

export function numberParam(context: RouteContext, name: string): number {
  return Number(context.params[name]);
}

/** The record of this repository whose id is the path parameter `param`, or GitHub's 404. */
export function recordOf<T extends { id: number; repository: string }>(context: RouteContext, records: readonly T[], param: string): T {
  const id = numberParam(context, param);
  const found = records.find((r) => r.repository === context.repository.fullName && r.id === id);
  if (!found) throw notFound();
  return found;
}
