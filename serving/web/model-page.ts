/**
 * `/models/{name}`: how the model was made (version, task, metrics, lineage, data summary,
 * features) and two ways to use it: a form generated from its features (one prediction) and a CSV
 * upload (a table of predictions). The script (client.js) drives both through the public API; the
 * page carries what it needs in `data-` attributes, so there is no inline script or style.
 */
import { html } from 'hono/html';
import type { Limits } from '../limits.ts';
import type { ServedModel } from '../model.ts';
import { formatBytes, formatCount, roundForPeople } from './format.ts';
import type { Html } from './layout.ts';
import { layout } from './layout.ts';
import type { FeatureView, LinkedText, ModelView } from './model-view.ts';
import { describeModel } from './model-view.ts';

function linked(v: LinkedText): Html {
  return v.href ? html`<a href="${v.href}">${v.text}</a>` : html`${v.text}`;
}

function facts(v: ModelView): Html {
  return html`<dl class="facts">
<div><dt>Version</dt><dd><code>${v.version}</code></dd></div>
<div><dt>Task</dt><dd>${v.task}</dd></div>
<div><dt>Target</dt><dd>${v.target}</dd></div>
<div><dt>Algorithm</dt><dd>${v.algorithm}</dd></div>
${v.metrics.map((m) => html`<div><dt>${m.label}</dt><dd>${m.value}</dd></div>`)}
</dl>
<p class="muted">Metrics are measured on the holdout rows. Artifact sha256 <code class="hash">${v.sha256}</code></p>`;
}

function lineage(v: ModelView): Html {
  return html`<section aria-labelledby="h-lineage">
<h2 id="h-lineage">How it was made</h2>
<dl class="rows">
${v.lineage.map((l) => html`<div><dt>${l.label}</dt><dd>${linked(l.value)}${l.detail ? html`<br><span class="muted hash">${l.detail}</span>` : ''}</dd></div>`)}
</dl>
</section>`;
}

/** The training target's spread as a number line: range, mean ± one standard deviation; the script adds the prediction. */
function spreadChart(s: NonNullable<ModelView['spread']>, id: string): Html {
  const x = (value: number) => (s.max > s.min ? 10 + (300 * (Math.min(Math.max(value, s.min), s.max) - s.min)) / (s.max - s.min) : 160).toFixed(1);
  const r = roundForPeople;
  return html`<svg class="spread" id="${id}" viewBox="0 0 320 64" role="img" aria-labelledby="${id}-text" data-min="${s.min}" data-max="${s.max}" data-mean="${s.mean}" data-std="${s.std}">
<line class="axis" x1="10" x2="310" y1="30" y2="30"/>
<rect class="sd" x="${x(s.mean - s.std)}" y="20" width="${(Number(x(s.mean + s.std)) - Number(x(s.mean - s.std))).toFixed(1)}" height="20"/>
<line class="mean" x1="${x(s.mean)}" x2="${x(s.mean)}" y1="16" y2="44"/>
<text x="10" y="60">${r(s.min)}</text><text x="310" y="60" text-anchor="end">${r(s.max)}</text>
<g class="marker" visibility="hidden"><line x1="160" x2="160" y1="6" y2="54"/><circle cx="160" cy="30" r="6"/></g>
</svg>
<p id="${id}-text" class="muted">Training target: mean ${r(s.mean)}, standard deviation ${r(s.std)} (the shaded band), range ${r(s.min)} to ${r(s.max)}.</p>`;
}

function dataSummary(v: ModelView): Html {
  if (!v.rows) return html`<section aria-labelledby="h-data"><h2 id="h-data">Training data</h2><p>This artifact (format v1) has no data summary.</p></section>`;
  return html`<section aria-labelledby="h-data">
<h2 id="h-data">Training data</h2>
<p>${v.rows.train} training rows, ${v.rows.holdout} holdout rows.</p>
${v.balance
  ? html`<h3>Class balance (training rows)</h3>
<ul class="bars">
${v.balance.map((b, i) => html`<li><label for="balance-${i}">${b.name}</label><meter id="balance-${i}" min="0" max="1" value="${b.share}">${b.label}</meter><span>${b.label}</span></li>`)}
</ul>`
  : ''}
${v.spread ? html`<h3>Target spread (training rows)</h3>${spreadChart(v.spread, 'data-spread')}` : ''}
</section>`;
}

function typeText(f: FeatureView): string {
  return f.type === 'category' ? `category (${f.categories!.length})` : f.type;
}

function featureTable(v: ModelView): Html {
  return html`<section aria-labelledby="h-features">
<h2 id="h-features">Features</h2>
<div class="table-wrap" role="region" aria-labelledby="h-features" tabindex="0">
<table>
<thead><tr><th scope="col">Feature</th><th scope="col">Type</th><th scope="col">Allowed values</th><th scope="col">A missing value becomes</th><th scope="col">Missing in training</th></tr></thead>
<tbody>
${v.features.map(
  (f) => html`<tr><th scope="row">${f.name}</th><td>${typeText(f)}</td><td>${f.type === 'number' ? 'any number' : f.type === 'boolean' ? 'true or false' : f.categories!.join(', ')}</td><td>${f.missing}</td><td>${
    f.missingInTraining === undefined ? '' : formatCount(f.missingInTraining)
  }</td></tr>`,
)}
</tbody>
</table>
</div>
</section>`;
}

function field(f: FeatureView, i: number): Html {
  const id = `f-${i}`;
  const hint = html`<small id="${id}-hint" class="hint">Empty = missing: ${f.missing}</small>`;
  const error = html`<p id="${id}-error" class="error field-error" hidden></p>`;
  switch (f.type) {
    case 'number':
      return html`<div class="field">
<label for="${id}">${f.name}</label>
<input id="${id}" name="${f.name}" type="number" step="${f.step}" value="${f.example}" data-kind="number" aria-describedby="${id}-hint ${id}-error">
${hint}${error}
</div>`;
    case 'category':
      return html`<div class="field">
<label for="${id}">${f.name}</label>
<select id="${id}" name="${f.name}" data-kind="category" aria-describedby="${id}-hint ${id}-error">
<option value="">(missing)</option>
${f.categories!.map((c, j) => html`<option${j === 0 ? ' selected' : ''}>${c}</option>`)}
</select>
${html`<small id="${id}-hint" class="hint">(missing): ${f.missing}</small>`}${error}
</div>`;
    case 'boolean':
      return html`<fieldset class="field">
<legend>${f.name}</legend>
<label class="inline"><input id="${id}" name="${f.name}" type="checkbox" data-kind="boolean"${f.example === 'true' ? ' checked' : ''} aria-describedby="${id}-hint ${id}-error"> true</label>
<label class="inline"><input id="${id}-missing" type="checkbox" data-missing-for="${id}"> missing</label>
${html`<small id="${id}-hint" class="hint">Missing: ${f.missing}</small>`}${error}
</fieldset>`;
  }
}

/** Shown when the server answers 401 (it has API keys): one key for predictions, CSV files and jobs. */
function keyForm(): Html {
  return html`<form id="jobs-key-form" class="key-form" aria-labelledby="h-key" hidden>
<h2 id="h-key">Access to this server</h2>
<p>This server needs an API key for predictions and batch jobs: a job and its results are readable only with the key that created it.</p>
<p><label for="jobs-key">API key</label> <input id="jobs-key" type="password" autocomplete="off" aria-describedby="jobs-key-note jobs-key-error"> <button type="submit">Use the key</button></p>
<p id="jobs-key-note" class="muted">The key stays in this page (not stored anywhere) and goes only to this server.</p>
<p id="jobs-key-error" class="error" role="alert" hidden></p>
</form>`;
}

function tryIt(v: ModelView): Html {
  const result =
    v.task === 'classification'
      ? html`<p class="prediction">Prediction: <output id="try-prediction" for="try-form"></output></p>
<h3 id="h-probabilities">Class probabilities</h3>
<ul class="bars" id="try-bars" aria-labelledby="h-probabilities"></ul>`
      : html`<p class="prediction">Prediction: <output id="try-prediction" for="try-form"></output></p>
${v.spread ? html`<p id="try-where"></p>${spreadChart(v.spread, 'try-spread')}` : ''}`;
  return html`<section aria-labelledby="h-try">
<h2 id="h-try">Try it</h2>
<p id="try-help">The fields start at typical training values (the median, the majority, the first category). <strong>Leave a field empty to send it as missing</strong>: the model then uses what it used in training, shown under each field.</p>
<form id="try-form" class="try" novalidate data-predict="/v1/models/${encodeURIComponent(v.name)}:predict" data-task="${v.task}" aria-describedby="try-help">
<div class="fields">
${v.features.map(field)}
</div>
<p><button type="submit">Predict</button> <button type="reset" class="secondary">Reset values</button></p>
<p id="try-error" class="error" role="alert" hidden></p>
</form>
<div id="try-result" class="result" aria-live="polite" hidden>
${result}
</div>
</section>`;
}

function batch(v: ModelView, limits: Limits): Html {
  const names = v.features.map((f) => f.name).join(',');
  return html`<section aria-labelledby="h-batch">
<h2 id="h-batch">Score a CSV file</h2>
<p id="batch-help">The first row names the features, in any order: <code class="wrap">${names}</code>. Empty cells, <code>NA</code> and <code>null</code> are missing. Up to ${formatCount(limits.maxRows)} rows and ${formatBytes(limits.maxBodyBytes)} are scored here at once<span class="jobs-only" hidden>; larger files run as a batch job</span>.</p>
<form id="batch-form" class="batch" data-predict="/v1/models/${encodeURIComponent(v.name)}:predict${v.task === 'classification' ? '?probabilities=true' : ''}" data-jobs="/v1/models/${encodeURIComponent(v.name)}/jobs${v.task === 'classification' ? '?probabilities=true' : ''}" data-model="${v.name}" data-max-bytes="${limits.maxBodyBytes}" data-max-rows="${limits.maxRows}" aria-describedby="batch-help">
<p><label for="batch-file">CSV file</label> <input id="batch-file" name="file" type="file" accept=".csv,text/csv"></p>
<p class="jobs-only" hidden><label class="inline"><input id="batch-as-job" type="checkbox"> Run as a batch job (for large files; the results stay on the server)</label></p>
<p><button type="submit">Score the file</button></p>
</form>
<div id="batch-status" class="status-line" role="status" hidden><progress id="batch-progress" max="1"></progress> <span id="batch-progress-text"></span></div>
<div id="batch-error" class="error error-box" role="alert" hidden></div>
<div id="batch-result" hidden>
<p><span id="batch-summary"></span> <button type="button" id="batch-download">Download CSV</button></p>
<div class="table-wrap" role="region" aria-label="Scored rows" tabindex="0"><table id="batch-table"><thead></thead><tbody></tbody></table></div>
<nav class="pager" aria-label="Pages of scored rows"><button type="button" id="batch-prev">Previous</button> <span id="batch-page" aria-live="polite"></span> <button type="button" id="batch-next">Next</button></nav>
</div>
<section id="jobs" class="jobs-only" aria-labelledby="h-jobs" hidden>
<h3 id="h-jobs">Batch jobs for ${v.name}</h3>
<p id="jobs-empty" class="muted">No jobs yet.</p>
<div class="table-wrap" role="region" aria-labelledby="h-jobs" tabindex="0"><table id="jobs-table" class="stack" role="table" hidden><thead role="rowgroup"><tr role="row"><th scope="col" role="columnheader">Job</th><th scope="col" role="columnheader">Status</th><th scope="col" role="columnheader">Rows</th><th scope="col" role="columnheader">Progress</th><th scope="col" role="columnheader">Started</th><th scope="col" role="columnheader">Results</th></tr></thead><tbody role="rowgroup"></tbody></table></div>
<p><button type="button" id="jobs-refresh" class="secondary">Refresh</button></p>
</section>
</section>`;
}

export function renderModelPage(model: ServedModel, options: { status: { ready: boolean; reason?: string }; limits: Limits; repositoryUrl?: string }): Html {
  const v = describeModel(model, options.repositoryUrl);
  const body = html`<nav aria-label="Breadcrumb" class="crumbs"><a href="/">Models</a> &rsaquo; ${v.name}</nav>
<h1>${v.name} <span class="tag">${v.task}</span></h1>
${facts(v)}
<nav aria-label="On this page" class="jump"><a href="#h-try">Try it</a> <a href="#h-batch">Score a CSV file</a> <a href="#h-lineage">How it was made</a> <a href="#h-data">Training data</a> <a href="#h-features">Features</a></nav>
${keyForm()}
${tryIt(v)}
${batch(v, options.limits)}
${lineage(v)}
${dataSummary(v)}
${featureTable(v)}`;
  return layout({ title: `${v.name} · mlship`, ...options.status, body });
}

/** A model page that cannot show a model: unknown, still loading, or refused at load. */
export function renderMissingModel(title: string, message: string, status: { ready: boolean; reason?: string }): Html {
  return layout({ title: `${title} · mlship`, ...status, body: html`<nav aria-label="Breadcrumb" class="crumbs"><a href="/">Models</a> &rsaquo; ${title}</nav><h1>${title}</h1><p class="error">${message}</p>` });
}
