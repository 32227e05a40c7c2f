/**
 * The HTML shell every page shares: the stylesheet and the script from `'self'` (assets.ts), a
 * skip link, the header with the server's readiness, and the footer with the API links.
 */
import { html } from 'hono/html';
import { ICON, SCRIPT_PATH, STYLE_PATH } from './assets.ts';

export type Html = ReturnType<typeof html>;

export interface Shell {
  title: string;
  ready: boolean;
  reason?: string;
  body: Html;
}

export function layout({ title, ready, reason, body }: Shell): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${STYLE_PATH}">
<link rel="icon" href="${ICON.path}" type="image/svg+xml">
<script src="${SCRIPT_PATH}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">mlship models</a>
<p class="${ready ? 'status ok' : 'status bad'}">${ready ? 'Server ready' : `Not ready: ${reason ?? ''}`}</p>
</header>
<main id="main">
${body}
</main>
<footer>
<p>For programs: <a href="/openapi.json">OpenAPI</a> &middot; <a href="/v1/models">/v1/models</a> &middot; <a href="/v2">/v2</a> &middot; <a href="/metrics">/metrics</a></p>
</footer>
</body>
</html>
`;
}
