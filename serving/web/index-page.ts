/** `/`: every pinned model (served or refused) with its version, task, headline metric and training rows. */
import { html } from 'hono/html';
import type { ListedModel } from '../routes/lookup.ts';
import type { Html } from './layout.ts';
import { layout } from './layout.ts';
import { describeModel } from './model-view.ts';

function card(m: ListedModel): Html {
  if (!m.model) {
    return html`<li class="card">
<h2>${m.name}</h2>
<p class="error">Not served: ${m.error ?? 'still loading'}</p>
<p class="muted">version <code>${m.version}</code></p>
</li>`;
  }
  const v = describeModel(m.model);
  return html`<li class="card">
<h2><a href="/models/${encodeURIComponent(m.name)}">${m.name}</a></h2>
<p><span class="tag">${v.task}</span> predicts <strong>${v.target}</strong>${v.classes.length ? ` (${v.classes.length} classes)` : ''}</p>
<dl class="facts">
<div><dt>Version</dt><dd><code>${v.version}</code></dd></div>
${v.metrics.map((x) => html`<div><dt>${x.label}</dt><dd>${x.value}</dd></div>`)}
${v.rows ? html`<div><dt>Training rows</dt><dd>${v.rows.train}</dd></div>` : ''}
<div><dt>Features</dt><dd>${v.features.length}</dd></div>
</dl>
</li>`;
}

export function renderIndex(models: readonly ListedModel[], status: { ready: boolean; reason?: string }): Html {
  const body = html`<h1>Served models</h1>
${models.length === 0 ? html`<p>The lock pins no models.</p>` : html`<p>Open a model to see how it was made, try a prediction or score a CSV file.</p>
<ul class="cards">${models.map(card)}</ul>`}`;
  return layout({ title: 'mlship models', ...status, body });
}
