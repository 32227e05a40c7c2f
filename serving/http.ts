/**
 * One serving process's HTTP front: the Hono app on node's HTTP server (via @hono/node-server),
 * and draining. Used as is without a cluster, and by each cluster worker.
 *
 * Draining: readiness turns 503; the server stops accepting connections; requests already
 * accepted (including ones still arriving on open keep-alive connections) are answered, with
 * `Connection: close`; idle connections are closed as they go idle; after the deadline, whatever
 * is left is cut (and counted).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import type { JobsConfig } from './jobs/config.ts';
import { ServeError } from './errors.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { ServingState } from './state.ts';

/** Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes first. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface HttpFront {
  server: Server;
  port: number;
  /** Prediction requests being handled now. */
  inflight(): number;
  /** Resolves when every connection is closed; `cutOff` counts requests the deadline cut short. */
  drain(deadlineMs: number): Promise<{ cutOff: number }>;
}

export interface FrontOptions {
  state: ServingState;
  limits: Partial<Limits>;
  logger: Logger;
  metrics: Metrics;
  /** Every process's metrics as Prometheus text (a cluster worker asks the primary). */
  metricsText?: () => Promise<string>;
  version: string;
  /** Batch jobs (serving/jobs/); see AppOptions. */
  jobs?: JobsConfig;
  port: number;
  host?: string;
}

export async function listenHttp(options: FrontOptions): Promise<HttpFront> {
  const { state } = options;
  const { limits, logger, metrics, metricsText, version } = options;
  const app = createApp({ state, limits, logger, metrics, metricsText, version, jobs: options.jobs });
  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000, requestTimeout: 120_000 },
  }) as Server;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ServeError(`cannot listen on ${options.host ?? '*'}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`, {}, { cause: err })),
    );
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  server.on('error', (err) => options.logger.log({ level: 'error', msg: 'server error', error: String(err) }));
  // Requests node's HTTP parser refuses still get a JSON error (node's own answer has no body).
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const sending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || sending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? [413, 'Payload Too Large']
            : [400, 'Bad Request'];
    const body = JSON.stringify({ error: `malformed HTTP request (${err.code ?? 'parse error'})` });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });

  let draining: Promise<{ cutOff: number }> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    inflight: () => options.metrics.inflight,
    drain(deadlineMs) {
      draining ??= new Promise((resolve) => {
        state.draining = true;
        // From now on every response closes its connection, so keep-alive clients reconnect
        // elsewhere (nothing is added per request before draining).
        server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
        let cutOff = 0;
        // Connections that go idle after answering are closed as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const deadline = setTimeout(() => {
          cutOff = options.metrics.inflight;
          server.closeAllConnections();
        }, deadlineMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          // the app's own connections (the jobs database), once no request can use them
          void app.close().then(() => resolve({ cutOff }));
        });
        server.closeIdleConnections();
      });
      return draining;
    },
  };
}
