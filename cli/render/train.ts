/** Text and JSON lines for `mlship train` and `npm start`, rendered from the training results. */
import path from 'node:path';
import { describePlaced } from '../../training/errors.ts';
import type { GateCheck } from '../../training/gates.ts';
import { regression } from '../../training/gates.ts';
import type { ModelOutcome } from '../../training/train-models.ts';

export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/** One line per check: `pass: accuracy 0.9667 ≥ min 0.9`. */
export function gateCheckText(c: GateCheck): string {
  const mark = c.skipped ? 'skip' : c.passed ? 'pass' : 'FAIL';
  const v = formatNumber(c.value);
  switch (c.kind) {
    case 'min':
      return `${mark}: ${c.metric} ${v} ${c.passed ? '≥' : '<'} min ${formatNumber(c.bound)}`;
    case 'max':
      return `${mark}: ${c.metric} ${v} ${c.passed ? '≤' : '>'} max ${formatNumber(c.bound)}`;
    case 'maxRegression': {
      if (!c.champion) return `${mark}: ${c.metric} regression check (no champion to compare with)`;
      const worse = regression(c.metric, c.value, c.champion.value);
      return `${mark}: ${c.metric} ${v} vs champion ${c.champion.version} ${formatNumber(c.champion.value)}: ${worse > 0 ? `${formatNumber(worse)} worse` : 'not worse'}, allowed ${formatNumber(c.bound)}`;
    }
  }
}

/** A model's result for a terminal: headline, each gate check, where the artifact went. */
export function outcomeText(o: ModelOutcome, cwd: string): string {
  if (o.status === 'error') return `✗ ${o.name}: ${describePlaced(o.error)}\n`;
  const r = o.result;
  const a = r.artifact;
  const metrics =
    a.task === 'classification'
      ? `accuracy ${a.metrics.accuracy.toFixed(4)}  macroF1 ${a.metrics.macroF1.toFixed(4)}`
      : `rmse ${a.metrics.rmse.toFixed(3)}  mae ${a.metrics.mae.toFixed(3)}  r2 ${a.metrics.r2.toFixed(4)}`;
  const forest = a.algorithm === 'random-forest' ? `${a.params.nEstimators} trees, ` : '';
  const lines = [
    `${r.passed ? '✓' : '✗'} ${a.name} ${a.version}  ${metrics}  (holdout ${r.holdoutRows} rows; trained on ${r.trainRows} rows in ${formatMs(r.trainMs)}, ${forest}${a.params.splitter} splits)`,
    `    time: ${Object.entries(r.phasesMs).map(([phase, ms]) => `${phase} ${formatMs(ms)}`).join(', ')}`,
    ...(a.algorithm === 'random-forest' ? [`    ${forestText(a.metrics, a.importances)}`] : []),
    ...(r.champion?.note ? [`    champion ${r.champion.version}: ${r.champion.note}`] : []),
    ...r.gates.map((c) => `    ${gateCheckText(c)}`),
    o.file ? `    → ${path.relative(cwd, o.file) || o.file}` : r.passed ? '' : '    not written: a gate failed',
  ].filter(Boolean);
  return `${lines.join('\n')}\n`;
}

/** One JSON object per model (`mlship train --json`). */
export function outcomeJson(o: ModelOutcome): string {
  if (o.status === 'error') return `${JSON.stringify({ name: o.name, error: { ...o.error, text: describePlaced(o.error) } })}\n`;
  const r = o.result;
  return `${JSON.stringify({
    name: r.artifact.name,
    version: r.artifact.version,
    sha256: r.sha256,
    task: r.artifact.task,
    commit: o.commit,
    trainMs: Math.round(r.trainMs * 1000) / 1000,
    phasesMs: Object.fromEntries(Object.entries(r.phasesMs).map(([phase, ms]) => [phase, Math.round(ms * 1000) / 1000])),
    trainRows: r.trainRows,
    holdoutRows: r.holdoutRows,
    splitter: r.artifact.params.splitter,
    algorithm: r.artifact.algorithm,
    metrics: r.artifact.metrics,
    ...(r.artifact.algorithm === 'random-forest' ? { importances: r.artifact.importances } : {}),
    data: r.artifact.data,
    passed: r.passed,
    gates: r.gates,
    champion: r.champion ?? null,
    artifact: o.file ?? null,
  })}\n`;
}

/** `out-of-bag r2 0.4606; importance: bmi 0.336, s5 0.267, …` (features by decreasing importance). */
function forestText(metrics: Record<string, unknown>, importances: Record<string, number>): string {
  const oob = typeof metrics.oobAccuracy === 'number' ? `out-of-bag accuracy ${metrics.oobAccuracy.toFixed(4)}` : typeof metrics.oobR2 === 'number' ? `out-of-bag r2 ${metrics.oobR2.toFixed(4)}` : 'no out-of-bag score (no bootstrap)';
  const ranked = Object.entries(importances).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  return `${oob}; importance: ${ranked.map(([name, v]) => `${name} ${v.toFixed(3)}`).join(', ')}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
