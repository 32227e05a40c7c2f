/**
 * Gates from the spec: absolute bounds (`min`, `max`) and `maxRegression` versus the champion
 * (the version pinned on the base branch) on the same holdout. A failed gate is a result with
 * reasons, not an exception.
 */
import type { Metrics } from './metrics.ts';
import type { MetricName, ModelSpec } from './spec.ts';
import { METRIC_DIRECTION } from './spec.ts';

export interface GateResult {
  passed: boolean;
  /** One line per failed check. */
  reasons: string[];
  /** One line per check made, passed or not. */
  checks: string[];
}

export function evaluateGates(gates: ModelSpec['gates'], metrics: Metrics, champion?: { version: string; metrics: Metrics }): GateResult {
  const reasons: string[] = [];
  const checks: string[] = [];
  const value = (m: Metrics, name: MetricName) => (m as Record<string, unknown>)[name] as number | undefined;
  const check = (ok: boolean, text: string) => {
    checks.push(`${ok ? 'pass' : 'FAIL'}: ${text}`);
    if (!ok) reasons.push(text);
  };
  for (const [name, bound] of entries(gates.min)) {
    const v = value(metrics, name)!;
    check(v >= bound, `${name} ${fmt(v)} ${v >= bound ? '≥' : '<'} min ${fmt(bound)}`);
  }
  for (const [name, bound] of entries(gates.max)) {
    const v = value(metrics, name)!;
    check(v <= bound, `${name} ${fmt(v)} ${v <= bound ? '≤' : '>'} max ${fmt(bound)}`);
  }
  for (const [name, allowed] of entries(gates.maxRegression)) {
    const champ = champion ? value(champion.metrics, name) : undefined;
    if (champ === undefined) {
      checks.push(`skip: ${name} regression check (no champion to compare with)`);
      continue;
    }
    const v = value(metrics, name)!;
    const worse = METRIC_DIRECTION[name] === 'higher' ? champ - v : v - champ;
    check(
      worse <= allowed + 1e-12,
      `${name} ${fmt(v)} vs champion ${champion!.version} ${fmt(champ)}: ${worse > 0 ? `${fmt(worse)} worse` : 'not worse'}, allowed ${fmt(allowed)}`,
    );
  }
  return { passed: reasons.length === 0, reasons, checks };
}

function entries(bounds: Partial<Record<MetricName, number>> | undefined): [MetricName, number][] {
  return Object.entries(bounds ?? {}) as [MetricName, number][];
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
