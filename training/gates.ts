/**
 * Gates from the spec: absolute bounds (`min`, `max`) and `maxRegression` versus the champion
 * (the version pinned on the base branch) on the same holdout. Each check is data; the command
 * line renders text and the pull-request report Markdown from it. A failed gate is a result,
 * not an exception.
 */
import { z } from 'zod';
import type { Metrics } from './metrics.ts';
import type { MetricName, ModelSpec } from './spec.ts';
import { METRIC_DIRECTION } from './spec.ts';

export const GATE_KINDS = ['min', 'max', 'maxRegression'] as const;

export const gateCheckSchema = z.strictObject({
  metric: z.enum(Object.keys(METRIC_DIRECTION) as [MetricName, ...MetricName[]]),
  kind: z.enum(GATE_KINDS),
  /** The candidate's value of the metric on the holdout. */
  value: z.number(),
  /** `min`/`max`: the bound; `maxRegression`: how much worse than the champion is allowed. */
  bound: z.number(),
  /** `maxRegression`: the champion's value on the same holdout. */
  champion: z.strictObject({ version: z.string(), value: z.number() }).optional(),
  passed: z.boolean(),
  /** `maxRegression` without a champion to compare with: not checked (and so not failed). */
  skipped: z.literal(true).optional(),
});
export type GateCheck = z.infer<typeof gateCheckSchema>;

/** Regressions within this of the allowed amount pass (floating-point noise in metric sums). */
const TOLERANCE = 1e-12;

export function evaluateGates(gates: ModelSpec['gates'], metrics: Metrics, champion?: { version: string; metrics: Metrics }): GateCheck[] {
  const value = (m: Metrics, name: MetricName) => (m as Record<string, unknown>)[name] as number | undefined;
  const checks: GateCheck[] = [];
  for (const [metric, bound] of entries(gates.min)) {
    const v = value(metrics, metric)!;
    checks.push({ metric, kind: 'min', value: v, bound, passed: v >= bound });
  }
  for (const [metric, bound] of entries(gates.max)) {
    const v = value(metrics, metric)!;
    checks.push({ metric, kind: 'max', value: v, bound, passed: v <= bound });
  }
  for (const [metric, bound] of entries(gates.maxRegression)) {
    const v = value(metrics, metric)!;
    const champ = champion ? value(champion.metrics, metric) : undefined;
    if (champion === undefined || champ === undefined) {
      checks.push({ metric, kind: 'maxRegression', value: v, bound, passed: true, skipped: true });
      continue;
    }
    checks.push({ metric, kind: 'maxRegression', value: v, bound, champion: { version: champion.version, value: champ }, passed: regression(metric, v, champ) <= bound + TOLERANCE });
  }
  return checks;
}

/** How much worse `value` is than the champion's (negative when better). */
export function regression(metric: MetricName, value: number, champion: number): number {
  return METRIC_DIRECTION[metric] === 'higher' ? champion - value : value - champion;
}

export function gatesPassed(checks: readonly GateCheck[]): boolean {
  return checks.every((c) => c.passed);
}

function entries(bounds: Partial<Record<MetricName, number>> | undefined): [MetricName, number][] {
  return Object.entries(bounds ?? {}) as [MetricName, number][];
}
