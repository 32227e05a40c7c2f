/** What people and scrapers read: the web page at `/`, `GET /openapi.json` and Prometheus `GET /metrics`. */
import { Hono } from 'hono';
import type { Env } from '../context.ts';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';
import { PAGE_CSP, renderPage } from '../page.ts';
import { notReadyReason } from '../state.ts';
import type { RouteDeps } from './deps.ts';
import { listModels } from './lookup.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const METRICS_HEADERS = { 'Content-Type': METRICS_CONTENT_TYPE };

export function siteRoutes(deps: RouteDeps): Hono<Env> {
  const { state } = deps;
  const app = new Hono<Env>();
  let openApi: string | undefined;

  const { metricsText } = deps;
  // Not on the main port when it has a port of its own (--metrics-port): a 404 here.
  if (metricsText) {
    app.get('/metrics', async (c) => {
      c.env.info.route = 'metrics';
      return c.body(await metricsText(), 200, METRICS_HEADERS);
    });
  }

  app.get('/openapi.json', (c) => {
    c.env.info.route = 'openapi';
    openApi ??= JSON.stringify(buildOpenApi(deps.version));
    return c.body(openApi, 200, JSON_HEADERS);
  });

  app.get('/', (c) => {
    c.env.info.route = 'page';
    const reason = notReadyReason(state);
    return c.html(renderPage(listModels(state), { ready: reason === undefined, reason }), 200, {
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  return app;
}
