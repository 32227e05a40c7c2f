/**
 * One serving process's HTTP front: the Hono app on node's HTTP server (via @hono/node-server),
 * and draining. Used as is without a cluster, and by each cluster worker.
 *
 * Draining: readiness turns 503; the server stops accepting connections; requests already
 * accepted, and ones still arriving on open keep-alive connections, are answered, with
 * `Connection: close`, and their connection closes after the answer; connections that stay idle
 * are closed at the deadline, when whatever is still being answered is cut (and counted).
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { ServeError } from './errors.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { malformedRequests } from './malformed.ts';
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
  port: number;
  host?: string;
}

export async function listenHttp(options: FrontOptions): Promise<HttpFront> {
  const { state } = options;
  const { limits, logger, metrics, metricsText, version } = options;
  const app = createApp({ state, limits, logger, metrics, metricsText, version });
  const malformed = malformedRequests(logger, metrics);
  const server = createServer(
    // No `requireHostHeader`: node would answer a missing Host with an empty 400 of its own.
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000, requestTimeout: 120_000, requireHostHeader: false },
    getRequestListener(app.fetch, { errorHandler: (err) => malformed.onUnbuildable(err) }),
  );

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
  server.on('clientError', malformed.onClientError);
  server.on('checkExpectation', malformed.onExpectation);

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
        // At the deadline: idle keep-alive connections are closed, and whatever is still being
        // answered is cut (and counted).
        const deadline = setTimeout(() => {
          server.closeIdleConnections();
          server.getConnections((_err, open) => {
            cutOff = open;
            server.closeAllConnections();
          });
        }, deadlineMs);
        // Stop accepting, but not with http's `close()`: it also closes idle keep-alive connections
        // at once, and a client may have sent a request on one that the server has not read yet
        // (that request would be reset unanswered). So a keep-alive connection closes after its
        // next answer (`Connection: close`), or at the deadline if none comes.
        net.Server.prototype.close.call(server, () => {
          clearTimeout(deadline);
          resolve({ cutOff });
        });
      });
      return draining;
    },
  };
}
