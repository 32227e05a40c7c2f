/**
 * What people and scrapers read: the web page (`/`, `/models/{name}` and its two assets),
 * `GET /openapi.json` and Prometheus `GET /metrics`.
 */
import { Hono } from 'hono';
import type { Env } from '../context.ts';
import { header } from '../context.ts';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import { notReadyReason } from '../state.ts';
import { ASSETS, PAGE_CSP } from '../web/assets.ts';
import { renderIndex } from '../web/index-page.ts';
import { renderMissingModel, renderModelPage } from '../web/model-page.ts';
import type { RouteDeps } from './deps.ts';
import { listModels, lookup } from './lookup.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const METRICS_HEADERS = { 'Content-Type': METRICS_CONTENT_TYPE };
const PAGE_HEADERS = { 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' };

export function siteRoutes(deps: RouteDeps): Hono<Env> {
  const { state } = deps;
  const app = new Hono<Env>();
  let openApi: string | undefined;
  const status = () => {
    const reason = notReadyReason(state);
    return { ready: reason === undefined, reason };
  };

  const { metricsText } = deps;
  // Not on the main port when it has a port of its own (--metrics-port): a 404 here.
  if (metricsText) {
    app.get('/metrics', async (c) => {
      c.env.info.route = 'metrics';
      return c.body(await metricsText(), 200, METRICS_HEADERS);
    });
  }

  app.get('/openapi.json', async (c) => {
    c.env.info.route = 'openapi';
    // generated from the zod schemas, so loaded on first use: a worker never asked does not load zod
    openApi ??= JSON.stringify((await import('../openapi.ts')).buildOpenApi(deps.version));
    return c.body(openApi, 200, JSON_HEADERS);
  });

  app.get('/', (c) => {
    c.env.info.route = 'page';
    return c.html(renderIndex(listModels(state), status()), 200, PAGE_HEADERS);
  });

  app.get('/models/:name', (c) => {
    c.env.info.route = 'page';
    const name = c.req.param('name');
    const model = state.models.get(name);
    if (model) {
      c.env.info.model = name;
      return c.html(renderModelPage(model, { status: status(), limits: deps.limits, repositoryUrl: deps.repositoryUrl }), 200, PAGE_HEADERS);
    }
    // A browser gets a page that says why; anything else the API's JSON error, like every 4xx/503.
    if (!(header(c, 'accept') ?? '').includes('text/html')) lookup(state, c, name, undefined);
    const failure = state.failures.get(name);
    if (failure) return c.html(renderMissingModel(name, `Version ${failure.entry.version} is not served: ${failure.reason}`, status()), 503, PAGE_HEADERS);
    if (state.loading) return c.html(renderMissingModel(name, 'The pinned models are still loading; reload in a moment.', status()), 503, { ...PAGE_HEADERS, 'Retry-After': '1' });
    return c.html(renderMissingModel(name, 'No model of that name is served here.', status()), 404, PAGE_HEADERS);
  });

  for (const asset of ASSETS) {
    const headers = { 'Content-Type': asset.contentType, 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };
    app.get(asset.path, (c) => {
      c.env.info.route = 'asset';
      return c.body(asset.body, 200, headers);
    });
  }

  return app;
}
