/**
 * The web page at `/`: the served models (version, task, metrics, lineage) and a form to try a
 * prediction through `POST /v1/models/{name}:predict`. Plain HTML and one small script, no framework;
 * the model list travels as a JSON data block, and the script is allowed by its hash (CSP).
 */
import { createHash } from 'node:crypto';
import type { ServedModel } from './model.ts';

export interface PageModel {
  name: string;
  version: string;
  ready: boolean;
  error?: string;
  model?: ServedModel;
}

const SCRIPT = `
const models = JSON.parse(document.getElementById('models').textContent);
const select = document.getElementById('model');
const input = document.getElementById('input');
const output = document.getElementById('output');
const probs = document.getElementById('probs');
function example() {
  const m = models.find((x) => x.name === select.value);
  if (!m) return;
  input.value = JSON.stringify({ instances: [m.example] }, null, 2);
  probs.disabled = m.task !== 'classification';
  if (probs.disabled) probs.checked = false;
}
select.addEventListener('change', example);
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  output.textContent = '…';
  const url = '/v1/models/' + encodeURIComponent(select.value) + ':predict' + (probs.checked ? '?probabilities=true' : '');
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: input.value });
    const text = await res.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
    output.textContent = res.status + ' ' + res.statusText + '\\n' + shown;
  } catch (err) {
    output.textContent = String(err);
  }
});
example();
`;

export const PAGE_CSP = `default-src 'none'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function exampleRow(model: ServedModel): Record<string, unknown> {
  return Object.fromEntries(
    model.features.map((f) => [f.name, f.type === 'number' ? f.impute : f.type === 'boolean' ? f.impute === 1 : (f.categories[0] ?? null)]),
  );
}

function metricsText(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

export function renderPage(models: readonly PageModel[], status: { ready: boolean; reason?: string }): string {
  const served = models.filter((m) => m.model);
  const data = JSON.stringify(served.map((m) => ({ name: m.name, task: m.model!.artifact.task, example: exampleRow(m.model!) }))).replace(/</g, '\\u003c');
  const rows = models
    .map((m) => {
      const a = m.model?.artifact;
      const state = m.ready ? 'ready' : `<span class="bad">not served: ${esc(m.error ?? 'loading')}</span>`;
      return `<tr><td>${esc(m.name)}</td><td><code>${esc(m.version)}</code></td><td>${a ? esc(a.task) : ''}</td><td>${
        m.model ? esc(metricsText(m.model.info.metrics)) : ''
      }</td><td>${a ? esc(a.features.map((f) => f.name).join(', ')) : ''}</td><td>${m.model?.entry.source.commit ? `<code>${esc(m.model.entry.source.commit.slice(0, 12))}</code>` : ''}</td><td>${state}</td></tr>`;
    })
    .join('\n');
  const options = served.map((m) => `<option>${esc(m.name)}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlship models</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { text-align: left; border-bottom: 1px solid #ddd; padding: .35rem .5rem; vertical-align: top; }
textarea, pre { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; }
textarea { height: 12rem; }
pre { background: #f6f6f6; padding: .75rem; min-height: 3rem; white-space: pre-wrap; }
.bad { color: #b00; }
.status { padding: .4rem .7rem; display: inline-block; border-radius: 4px; background: ${status.ready ? '#e6f4e6' : '#fbe9e9'}; }
</style>
</head>
<body>
<h1>mlship models</h1>
<p class="status">${status.ready ? 'ready' : `not ready: ${esc(status.reason ?? '')}`}</p>
<table>
<thead><tr><th>model</th><th>version</th><th>task</th><th>holdout metrics</th><th>features</th><th>commit</th><th>state</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">The lock pins no models.</td></tr>'}
</tbody>
</table>
<h2>Try a prediction</h2>
<form id="form">
<p><label>model <select id="model">${options}</select></label>
<label><input type="checkbox" id="probs"> probabilities</label>
<button type="submit"${served.length === 0 ? ' disabled' : ''}>Predict</button></p>
<textarea id="input" spellcheck="false" aria-label="request body"></textarea>
</form>
<pre id="output" aria-live="polite"></pre>
<p>API: <a href="/openapi.json">OpenAPI</a> · <a href="/v1/models">/v1/models</a> · <a href="/v2">/v2</a> · <a href="/metrics">/metrics</a></p>
<script type="application/json" id="models">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
