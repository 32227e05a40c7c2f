/**
 * Requests that never reach the app still get a JSON error, a log line and a count (route
 * `malformed` in the metrics):
 * - what node's HTTP parser refuses (`clientError`: bad request line, header overflow, timeouts);
 * - what @hono/node-server cannot turn into a Request (its `RequestError`) (a backslash in the path, `*`, a missing or
 *   invalid Host): its default is an empty 400;
 * - an `Expect` other than `100-continue` (node's default is an empty 417).
 */
import { RequestError as HonoRequestError } from '@hono/node-server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { clip } from './errors.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

export const MALFORMED_ROUTE = 'malformed';

export interface Malformed {
  /** For the node server's `clientError` event. */
  onClientError(err: NodeJS.ErrnoException, socket: Socket): void;
  /** For node-server's `errorHandler`: a request it could not build. */
  onUnbuildable(err: unknown): Response;
  /** For the node server's `checkExpectation` event. */
  onExpectation(req: IncomingMessage, res: ServerResponse): void;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Payload Too Large', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' };

function parserStatus(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

export function malformedRequests(logger: Logger, metrics: Metrics): Malformed {
  const record = (status: number, error: string, method?: string) => {
    metrics.observe(MALFORMED_ROUTE, '', status, 0, 0);
    logger.log({ msg: 'request', ...(method ? { method: clip(method, 20) } : {}), route: MALFORMED_ROUTE, status, error });
  };
  return {
    onClientError(err, socket) {
      const sending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (err.code === 'ECONNRESET' || !socket.writable || sending?.headersSent) {
        socket.destroy();
        return;
      }
      const status = parserStatus(err.code);
      const error = `malformed HTTP request (${err.code ?? 'parse error'})`;
      record(status, error);
      const body = JSON.stringify({ error });
      socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
    onUnbuildable(err) {
      if (!(err instanceof HonoRequestError)) {
        // not the request's fault: the app threw before answering (it normally answers errors itself)
        logger.log({ level: 'error', msg: 'internal error', error: String(err), stack: (err as Error)?.stack });
        metrics.observe('other', '', 500, 0, 0);
        return new Response(JSON.stringify({ error: 'internal error' }), { status: 500, headers: { 'Content-Type': 'application/json' } });
      }
      const error = `malformed HTTP request: ${clip(err instanceof Error ? err.message : String(err), 100)}`;
      record(400, error);
      return new Response(JSON.stringify({ error }), { status: 400, headers: { 'Content-Type': 'application/json', Connection: 'close' } });
    },
    onExpectation(req, res) {
      const expect = clip(String(req.headers.expect), 100);
      const error = `unsupported Expect "${expect}" (this server knows 100-continue)`;
      record(417, error, req.method);
      const body = JSON.stringify({ error });
      res.writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
    },
  };
}
