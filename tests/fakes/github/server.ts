/**
 * The HTTP side: one request goes route (404 when GitHub has no such route) → handler (501 when
 * the fake has none) → token (401) → repository (404) → permission (403) → JSON (400) → schema
 * (422) → the route's handler. Every request is logged in the state.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, type TokenGrant, type TokenRegistry } from './auth.ts';
import { GitHubError } from './errors.ts';
import { Links } from './links.ts';
import type { Operation } from './openapi-description.ts';
import type { OpenApiRouter } from './openapi-router.ts';
import type { Route, RouteResult } from './route.ts';
import type { FakeRepository, FakeState } from './state.ts';
import type { OperationValidator, SchemaViolation } from './validate.ts';

export interface ResponseViolation {
  operationId: string;
  status: number;
  violations: SchemaViolation[];
}

export interface ServerParts {
  router: OpenApiRouter;
  validator: OperationValidator;
  routes: ReadonlyMap<string, Route>;
  tokens: TokenRegistry;
  state: FakeState;
  nextId(): number;
  findRepository(fullName: string): FakeRepository | undefined;
  /** answers paths outside GitHub's API (artifact downloads); undefined: not one of them */
  outsideApi(pathname: string): RouteResult | undefined;
  /** when set, every JSON response is checked against its documented schema */
  onResponseViolation: ((violation: ResponseViolation) => void) | undefined;
}

const DOCS = 'https://docs.github.com/rest';

export async function startServer(parts: ServerParts): Promise<{ server: Server; origin: string }> {
  let origin = '';
  const server = createServer((req, res) => {
    handle(parts, origin, req, res).catch((err: unknown) => {
      send(res, { status: 500, body: { message: `GitHub fake failed: ${err instanceof Error ? err.stack : String(err)}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin };
}

async function handle(parts: ServerParts, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestUrl = new URL(req.url ?? '/', origin);
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);
  const outside = parts.outsideApi(requestUrl.pathname);
  if (outside) {
    send(res, outside);
    return;
  }
  const match = parts.router.match(method, requestUrl.pathname);
  let grant: TokenGrant | undefined;
  let body: unknown;
  let result: RouteResult;
  try {
    if (!match) throw new GitHubError(404, 'Not Found', { documentationUrl: DOCS });
    const { operation } = match;
    const route = parts.routes.get(operation.operationId);
    if (!route) throw new GitHubError(501, `The GitHub fake does not implement ${operation.operationId} (${method} ${operation.template})`);
    grant = parts.tokens.authenticate(req.headers.authorization);
    const params: Record<string, unknown> = { ...match.pathParams };
    for (const [name, value] of requestUrl.searchParams) params[name] = value;
    const repository = parts.findRepository(`${match.pathParams.owner}/${match.pathParams.repo}`);
    if (!repository) throw new GitHubError(404, 'Not Found');
    authorize(grant, route.permission, method === 'GET' || method === 'HEAD' ? 'read' : 'write', repository.fullName);
    body = parseJson(raw);
    rejectInvalid(operation, parts.validator.parameters(operation, params));
    if (operation.requestBody) {
      body ??= {};
      rejectInvalid(operation, parts.validator.body(operation, body));
    }
    result = await route.handle({
      operation, params, body, grant, actor: grant.actor, repository, state: parts.state, links: new Links(origin), requestUrl, headers: req.headers,
      nextId: parts.nextId, findRepository: parts.findRepository,
    });
    if (parts.onResponseViolation && result.body !== undefined && !(result.body instanceof Uint8Array)) {
      const violations = parts.validator.response(operation, result.status, result.body);
      if (violations.length > 0) parts.onResponseViolation({ operationId: operation.operationId, status: result.status, violations });
    }
  } catch (err) {
    // a defect of the fake is a 500 the test sees (and the request log keeps), not a hung request
    result = err instanceof GitHubError
      ? { status: err.status, body: err.body(match?.operation.documentationUrl ?? DOCS) }
      : { status: 500, body: { message: `GitHub fake failed: ${err instanceof Error ? err.stack : String(err)}` } };
  }
  parts.state.requests.push({
    method, url: `${requestUrl.pathname}${requestUrl.search}`, operationId: match?.operation.operationId, status: result.status,
    actor: grant?.actor.login, body,
  });
  send(res, result);
}

/** A 422 naming each field, worded as GitHub words schema failures. */
function rejectInvalid(operation: Operation, violations: SchemaViolation[]): void {
  if (violations.length === 0) return;
  const describe = (v: SchemaViolation) => v.missing !== undefined
    ? `"${v.missing}" wasn't supplied.`
    : `For '${v.path.slice(1) || 'body'}', ${JSON.stringify(v.value)} ${v.message}.`;
  throw new GitHubError(422, `Invalid request.\n\n${violations.map(describe).join('\n')}`, {
    documentationUrl: operation.documentationUrl,
    errors: violations.map((v) => ({
      resource: operation.operationId,
      field: v.missing ?? v.path.slice(1).replace(/\//g, '.'),
      code: v.missing === undefined ? 'invalid' : 'missing_field',
      message: describe(v),
    })),
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GitHubError(400, 'Problems parsing JSON');
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, result: RouteResult): void {
  const headers: Record<string, string> = { 'x-github-request-id': randomUUID(), 'x-github-api-version-selected': '2022-11-28', ...result.headers };
  if (result.body === undefined) {
    res.writeHead(result.status, headers).end();
  } else if (result.body instanceof Uint8Array) {
    res.writeHead(result.status, { 'content-type': 'application/octet-stream', 'content-length': String(result.body.byteLength), ...headers }).end(result.body);
  } else {
    const json = JSON.stringify(result.body);
    res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)), ...headers }).end(json);
  }
}
