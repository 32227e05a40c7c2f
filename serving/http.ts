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
import { METRICS_CONTENT_TYPE } from './metrics.ts';
import { malformedRequests } from './malformed.ts';
import type { ServingState } from './state.ts';

/** Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes first. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface HttpFront {
  server: Server;
  port: number;
  /** The port `/metrics` is served on, when it has one of its own. */
  metricsPort?: number;
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
  /** For the web page's commit links (app.ts). */
  repositoryUrl?: string;
  /** Serve `/metrics` on this port (same host) instead of `port`, which then answers 404 for it. */
  metricsPort?: number;
}

/** Listens, or fails with a ServeError naming the address. */
function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new ServeError(`cannot listen on ${host ?? '*'}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`, {}, { cause: err })),
    );
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
}

/**
 * `/metrics` alone, on a port of its own (so the scrape need not be public on the load balancer).
 * Anything else there is a JSON 404.
 */
async function listenMetrics(port: number, host: string | undefined, text: () => Promise<string>, metrics: Metrics): Promise<Server> {
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) => {
    const started = performance.now();
    const path = (req.url ?? '').split('?')[0];
    const answer = (status: number, type: string, body: string) => {
      metrics.observe(status === 200 ? 'metrics' : 'not_found', '', status, (performance.now() - started) / 1000, 0);
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
    };
    if (req.method === 'GET' && path === '/metrics') {
      text().then(
        (body) => answer(200, METRICS_CONTENT_TYPE, body),
        () => answer(500, 'application/json', '{"error":"internal error"}'),
      );
    } else {
      answer(404, 'application/json', JSON.stringify({ error: 'this port serves GET /metrics only' }));
    }
  });
  await listen(server, port, host);
  return server;
}

export async function listenHttp(options: FrontOptions): Promise<HttpFront> {
  const { state } = options;
  const { limits, logger, metrics, metricsText, version } = options;
  const ownMetricsPort = options.metricsPort !== undefined;
  const app = createApp({ state, limits, logger, metrics, metricsText, version, serveMetrics: !ownMetricsPort, repositoryUrl: options.repositoryUrl });
  const malformed = malformedRequests(logger, metrics);
  const server = createServer(
    // No `requireHostHeader`: node would answer a missing Host with an empty 400 of its own.
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000, requestTimeout: 120_000, requireHostHeader: false },
    getRequestListener(app.fetch, { errorHandler: (err) => malformed.onUnbuildable(err) }),
  );
  await listen(server, options.port, options.host);
  let metricsServer: Server | undefined;
  if (ownMetricsPort) {
    try {
      metricsServer = await listenMetrics(options.metricsPort!, options.host, metricsText ?? (() => metrics.text()), metrics);
    } catch (err) {
      server.close();
      throw err;
    }
  }
  server.on('error', (err) => options.logger.log({ level: 'error', msg: 'server error', error: String(err) }));
  server.on('clientError', malformed.onClientError);
  server.on('checkExpectation', malformed.onExpectation);

  let draining: Promise<{ cutOff: number }> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    ...(metricsServer ? { metricsPort: (metricsServer.address() as AddressInfo).port } : {}),
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
          // scrapes are idempotent GETs: cut whatever the metrics port still has
          metricsServer?.close();
          metricsServer?.closeAllConnections();
          resolve({ cutOff });
        });
      });
      return draining;
    },
  };
}
