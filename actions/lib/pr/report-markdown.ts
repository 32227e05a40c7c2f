/**
 * The pull-request report as Markdown, from a results document: per model the candidate against
 * its champion (metrics with deltas, each gate check), the confusion matrix or an error summary,
 * the data against the champion's, the prediction diff on the shared holdout with example rows,
 * and the version and store key; the models the pull request removes. The sticky comment, the
 * job summary and `mlship report` all print this. Every value that came from data goes through
 * `escapeMarkdown`.
 */
import type { DataSummary } from '../../../training/data-summary.ts';
import type { GateCheck } from '../../../training/gates.ts';
import { regression } from '../../../training/gates.ts';
import { formatPlace } from '../../../training/errors.ts';
import type { PredictionDiff } from '../../../training/prediction-diff.ts';
import { escapeMarkdown as esc, fitToLimit, formatDelta, formatNumber, formatPercent, table } from './markdown.ts';
import type { ModelResult, Results, TrainedResult } from './results.ts';
import { SUMMARY_LIMIT } from '../github/job-summary.ts';

/** Finds the sticky comment again (with the bot's login). */
export const REPORT_MARKER = '<!-- mlship-report -->';
/** GitHub refuses a comment body longer than this. */
export const COMMENT_LIMIT = 65536;
/** Example rows show at most this many features (wide data would make an unreadable table). */
const MAX_EXAMPLE_FEATURES = 10;

export interface ReportOptions {
  /** The results came from a fork's pull request (retrained by the base repository's code). */
  fork?: boolean;
  /** The models that were published, by name (`published` or `already-published`). */
  published?: ReadonlyMap<string, string>;
  /** The lock commit made on the pull request's branch, if any. */
  lockCommit?: string | null;
}

export function renderReport(results: Results, options: ReportOptions = {}): string {
  const parts = [REPORT_MARKER, headline(results)];
  if (options.fork) parts.push('> This pull request comes from a fork. Its models were trained again by the base repository’s own code, against the champions; the fork’s upload was read as data only. Forks are never published.');
  if (results.all) parts.push('> `training/` changed, so every model was retrained.');
  if (!results.championsLoaded && results.models.length > 0) parts.push('> The champions were not read from the store (no credentials in this run): `maxRegression` gates were not checked and there is no prediction diff.');
  if (results.models.length === 0 && results.removed.length === 0) parts.push('No model changed in this pull request: nothing to train, nothing to gate. ✅');
  if (results.models.length > 1) parts.push(overview(results.models));
  for (const m of results.models) parts.push(modelSection(m, options));
  for (const r of results.removed) {
    parts.push(`### 🗑️ \`${r.name}\` removed\n\nThe pull request deletes \`models/${r.name}/\`: ${r.version ? `its lock entry (version \`${r.version}\`) is removed` : 'it was not pinned in the lock'}.`);
  }
  if (options.lockCommit) parts.push(`The lock was updated on the branch in ${options.lockCommit.slice(0, 12)}.`);
  if (results.head.sha) parts.push(`<sub>Trained at ${results.head.sha.slice(0, 12)}${results.base.sha ? `, against the champions pinned at ${results.base.sha.slice(0, 12)}` : ''}.</sub>`);
  return `${parts.join('\n\n')}\n`;
}

/** The report cut to fit a comment, with a pointer to the job summary that holds it all. */
export function commentBody(markdown: string, summaryUrl?: string): string {
  const where = summaryUrl ? `the [job summary](${summaryUrl})` : 'the job summary of this workflow run';
  return fitToLimit(markdown, { limit: COMMENT_LIMIT, pointer: `---\n✂️ This report is cut here: it is longer than a pull-request comment can be. The full report is in ${where}.` }).text;
}

function headline(results: Results): string {
  const trained = results.models.length;
  const failed = results.models.filter((m) => m.status !== 'passed').length;
  if (trained === 0) return `## mlship ✅ ${results.removed.length ? `${results.removed.length} model${results.removed.length === 1 ? '' : 's'} removed` : 'no model changed'}`;
  if (failed === 0) return `## mlship ✅ ${trained === 1 ? 'the model passed its gates' : `all ${trained} models passed their gates`}`;
  return `## mlship ❌ ${failed} of ${trained} model${trained === 1 ? '' : 's'} failed`;
}

/** One line per model, for a pull request that changes several. */
function overview(models: readonly ModelResult[]): string {
  const rows = models.map((m) => {
    if (m.status === 'error') return [`\`${m.name}\``, '–', '❌ could not be trained', '–'];
    const [metric, value] = metricValues(m.metrics)[0] ?? ['', 0];
    const theirs = m.champion ? new Map(metricValues(m.champion.metrics)).get(metric) : undefined;
    const headline = `${metric} ${formatNumber(value)}${theirs === undefined ? '' : ` (${formatDelta(value - theirs)})`}`;
    return [`\`${m.name}\``, `\`${m.version}\``, m.status === 'passed' ? '✅ passed' : '❌ failed a gate', headline];
  });
  return table(['model', 'version', 'gates', 'vs champion'], rows);
}

function modelSection(m: ModelResult, options: ReportOptions): string {
  if (m.status === 'error') {
    const where = formatPlace(m.error.place);
    return `### ❌ \`${m.name}\` could not be trained\n\n${where ? `**${esc(where)}**: ` : ''}${esc(m.error.message)} (${esc(m.error.kind)})`;
  }
  const passed = m.status === 'passed';
  const lines = [
    `### ${passed ? '✅' : '❌'} \`${m.name}\` \`${m.version}\` ${passed ? 'passed' : 'failed a gate'}`,
    m.champion ? `Candidate \`${m.version}\` against champion \`${m.champion.version}\` on the same ${m.holdoutRows} holdout rows.` : `A new model: no champion is pinned on the base branch (${m.holdoutRows} holdout rows).`,
  ];
  if (m.champion?.note) lines.push(`> Champion: ${esc(m.champion.note)}`);
  for (const note of m.notes ?? []) lines.push(`> ⚠️ ${esc(note)}`);
  lines.push(metricsTable(m), gatesList(m.gates));
  lines.push(m.task === 'classification' ? confusionMatrix(m) : errorSummary(m));
  lines.push(dataSection(m.data, m.champion?.data));
  if (m.diff) lines.push(diffSection(m.diff, m.task));
  else if (m.champion) lines.push('**Prediction diff**: the champion could not be evaluated on this holdout.');
  const status = options.published?.get(m.name);
  const key = `models/${m.name}/${m.version}/model.json`;
  lines.push(
    `**Version** \`${m.version}\` · sha256 \`${m.sha256}\` · store key \`${key}\`${status === 'published' ? ' · published' : status === 'already-published' ? ' · already in the store' : passed ? '' : ' · not published'}`,
  );
  return lines.join('\n\n');
}

function metricValues(metrics: TrainedResult['metrics']): [string, number][] {
  return Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number');
}

function metricsTable(m: TrainedResult): string {
  const champion = m.champion ? new Map(metricValues(m.champion.metrics)) : undefined;
  const rows = metricValues(m.metrics).map(([name, v]) => {
    const c = champion?.get(name);
    return [name, formatNumber(v), c === undefined ? '–' : formatNumber(c), c === undefined ? '–' : formatDelta(v - c)];
  });
  return table(['metric', 'candidate', m.champion ? `champion \`${m.champion.version}\`` : 'champion', 'Δ'], rows);
}

function gatesList(gates: readonly GateCheck[]): string {
  if (gates.length === 0) return '**Gates**: none in the spec.';
  return ['**Gates**', ...gates.map((c) => `- ${c.skipped ? '➖' : c.passed ? '✅' : '❌'} ${gateText(c)}`)].join('\n');
}

function gateText(c: GateCheck): string {
  const v = formatNumber(c.value);
  switch (c.kind) {
    case 'min':
      return `${c.metric} ${v} ${c.passed ? '≥' : '<'} min ${formatNumber(c.bound)}`;
    case 'max':
      return `${c.metric} ${v} ${c.passed ? '≤' : '>'} max ${formatNumber(c.bound)}`;
    case 'maxRegression': {
      if (!c.champion) return `${c.metric}: regression not checked (no champion to compare with)`;
      const worse = regression(c.metric, c.value, c.champion.value);
      return `${c.metric} ${v} vs champion ${formatNumber(c.champion.value)}: ${worse > 0 ? `${formatNumber(worse)} worse` : 'not worse'}, ${formatNumber(c.bound)} allowed`;
    }
  }
}

function confusionMatrix(m: TrainedResult): string {
  if (!('confusionMatrix' in m.metrics)) return '';
  const classes = m.target.classes ?? [];
  const label = (i: number) => esc(classes[i] ?? `#${i}`);
  const rows = m.metrics.confusionMatrix.map((row, i) => [`**${label(i)}**`, ...row.map(String)]);
  return `<details><summary>Confusion matrix (holdout; rows: actual, columns: predicted)</summary>\n\n${table(['actual \\ predicted', ...m.metrics.confusionMatrix.map((_, i) => label(i))], rows)}\n\n</details>`;
}

function errorSummary(m: TrainedResult): string {
  if (!('rmse' in m.metrics) || m.data.target.kind !== 'values') return '';
  const spread = m.data.target.holdout;
  const relative = spread.std > 0 ? ` RMSE is ${formatPercent(m.metrics.rmse, spread.std)} of the target’s standard deviation.` : '';
  return `**Errors** on the holdout: RMSE ${formatNumber(m.metrics.rmse)}, MAE ${formatNumber(m.metrics.mae)}, R² ${formatNumber(m.metrics.r2)}. Target \`${esc(m.target.name)}\`: mean ${formatNumber(spread.mean)}, std ${formatNumber(spread.std)}, range ${formatNumber(spread.min)} to ${formatNumber(spread.max)}.${relative}`;
}

function dataSection(data: DataSummary, champion: DataSummary | undefined): string {
  const versus = (v: number, c: number | undefined) => (c === undefined ? '–' : `${c} (${formatDelta(v - c)})`);
  const rows: string[][] = [
    ['training rows', String(data.rows.train), versus(data.rows.train, champion?.rows.train)],
    ['holdout rows', String(data.rows.holdout), versus(data.rows.holdout, champion?.rows.holdout)],
  ];
  if (data.target.kind === 'classes') {
    const counts = data.target.train;
    const theirs = champion?.target.kind === 'classes' ? champion.target.train : undefined;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const theirTotal = theirs ? Object.values(theirs).reduce((a, b) => a + b, 0) : 0;
    for (const name of [...new Set([...Object.keys(counts), ...Object.keys(theirs ?? {})])].sort()) {
      const n = counts[name] ?? 0;
      const c = theirs?.[name];
      rows.push([`class ${esc(name)}`, `${n} (${formatPercent(n, total)})`, c === undefined ? (theirs ? 'absent' : '–') : `${c} (${formatPercent(c, theirTotal)})`]);
    }
  } else {
    const s = data.target.train;
    const c = champion?.target.kind === 'values' ? champion.target.train : undefined;
    rows.push(['target mean ± std', `${formatNumber(s.mean)} ± ${formatNumber(s.std)}`, c ? `${formatNumber(c.mean)} ± ${formatNumber(c.std)}` : '–']);
  }
  const mine = new Map(data.features.map((f) => [f.name, f]));
  const theirsF = new Map((champion?.features ?? []).map((f) => [f.name, f]));
  for (const f of data.features) {
    if (f.missing > 0 || (theirsF.get(f.name)?.missing ?? 0) > 0) rows.push([`missing in ${esc(f.name)}`, String(f.missing), theirsF.has(f.name) ? String(theirsF.get(f.name)!.missing) : '–']);
  }
  const lines = ['**Data** (training rows; champion’s in the last column)', table(['', 'candidate', 'champion'], rows)];
  if (champion) {
    const added = data.features.filter((f) => !theirsF.has(f.name)).map((f) => esc(f.name));
    const removed = champion.features.filter((f) => !mine.has(f.name)).map((f) => esc(f.name));
    const retyped = data.features.filter((f) => theirsF.has(f.name) && theirsF.get(f.name)!.type !== f.type).map((f) => `${esc(f.name)} (${theirsF.get(f.name)!.type} → ${f.type})`);
    lines.push(
      added.length || removed.length || retyped.length
        ? [added.length ? `Columns added: ${added.join(', ')}.` : '', removed.length ? `Columns removed: ${removed.join(', ')}.` : '', retyped.length ? `Type changed: ${retyped.join(', ')}.` : ''].filter(Boolean).join(' ')
        : 'Same feature columns as the champion.',
    );
  }
  return lines.join('\n\n');
}

function diffSection(diff: PredictionDiff, task: TrainedResult['task']): string {
  const lines = [`**Prediction diff** on the shared holdout: **${diff.changed} of ${diff.rows} rows** (${formatPercent(diff.changed, diff.rows)}) change their prediction between the champion and the candidate.`];
  if (diff.kind === 'classes') {
    if (diff.changed > 0) {
      const rows = diff.flips.map((row, i) => [`**${esc(diff.labels[i])}**`, ...row.map((n, j) => (i === j ? `${n}` : n > 0 ? `**${n}**` : '0'))]);
      lines.push(table(['champion \\ candidate', ...diff.labels.map((l) => esc(l))], rows));
    }
  } else {
    const d = diff.delta;
    lines.push(table(['candidate − champion', 'mean', 'mean abs', 'min', 'p10', 'median', 'p90', 'max'], [['all rows', ...[d.mean, d.meanAbs, d.min, d.p10, d.median, d.p90, d.max].map(formatNumber)]]));
  }
  if (diff.examples.length > 0) {
    const names = [...new Set(diff.examples.flatMap((e) => Object.keys(e.features)))];
    const shown = names.slice(0, MAX_EXAMPLE_FEATURES);
    // numbers and booleans are safe as they are; text is the data's and is escaped
    const cell = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : esc(v));
    const value = (v: unknown) => (typeof v === 'number' && task === 'regression' ? formatNumber(v) : cell(v));
    const rows = diff.examples.map((e) => [String(e.row), ...shown.map((n) => (Object.hasOwn(e.features, n) ? cell(e.features[n]) : '')), value(e.actual), value(e.champion), `**${value(e.candidate)}**`]);
    lines.push(
      `Rows that ${task === 'classification' ? 'flip' : 'move most'} (row in the holdout file${names.length > shown.length ? `; ${names.length - shown.length} more features not shown` : ''}):\n\n${table(['row', ...shown.map((n) => esc(n)), 'actual', 'champion', 'candidate'], rows)}`,
    );
  }
  return lines.join('\n\n');
}

/** The report cut to fit a job summary (1 MiB a step). */
export function summaryBody(markdown: string): string {
  return fitToLimit(markdown, { limit: SUMMARY_LIMIT, pointer: '---\n✂️ This report is cut here: it is longer than a job summary can be. The results folder (the uploaded artifact) has everything.' }).text;
}
