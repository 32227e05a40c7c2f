/**
 * The page's assets (script, stylesheet, icon), served from `'self'` under a path that names their content (so a cache
 * can keep them for good), and the Content-Security-Policy that allows only them: no inline
 * script, no inline style, requests only to this server.
 *
 * The script is client.js's one function, sent as its own source text: the same whether the
 * server runs from the repository (type-stripped) or from the esbuild bundle, with no build step
 * and no file to find beside the bundle.
 */
import { createHash } from 'node:crypto';
import { pageScript } from './client.js';
import { STYLESHEET } from './styles.ts';

export interface Asset {
  path: string;
  body: string;
  contentType: string;
}

function asset(name: string, ext: string, body: string, contentType: string): Asset {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${digest}.${ext}`, body, contentType };
}

export const SCRIPT = asset('page', 'js', `(${pageScript.toString()})();\n`, 'text/javascript; charset=utf-8');
export const STYLE = asset('page', 'css', STYLESHEET, 'text/css; charset=utf-8');
/** A favicon, so browsers do not ask for /favicon.ico (a 404 in every page's console). */
export const ICON = asset(
  'icon',
  'svg',
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5cad"/><path d="M3 12V4l5 5 5-5v8" fill="none" stroke="#fff" stroke-width="2"/></svg>',
  'image/svg+xml',
);
export const ASSETS: readonly Asset[] = [SCRIPT, STYLE, ICON];
export const SCRIPT_PATH = SCRIPT.path;
export const STYLE_PATH = STYLE.path;

export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
