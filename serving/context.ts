/**
 * What a handler knows about its request beyond Hono's context: `info`, which the handlers fill in
 * for the request log and the metrics, and node's request (`incoming`) when served over HTTP.
 */
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/** What the request log line and the metrics record about a request. */
export interface RequestInfo {
  route: string;
  model: string;
  version: string;
  rows: number;
}

/** Per request bindings: node-server's `{incoming, outgoing}`, plus `info`. */
export type Env = { Bindings: { info: RequestInfo; incoming?: IncomingMessage } };

export type ServingContext = Context<Env>;

/** A request header: node's parsed headers when serving over HTTP (cheaper than the Fetch Headers view). */
export function header(c: ServingContext, name: string): string | undefined {
  const incoming = c.env.incoming;
  if (incoming) {
    const v = incoming.headers[name];
    return typeof v === 'string' ? v : undefined;
  }
  return c.req.header(name);
}
