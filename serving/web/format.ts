/**
 * Numbers as the web page shows them to people: example values rounded to three significant
 * digits (a training median of 112.30000000000001 is shown as 112), the input step those digits
 * imply, metrics and shares. Pure functions.
 */

/** Three significant digits, without float noise or exponent notation for everyday magnitudes. */
export function roundForPeople(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  return Number(value.toPrecision(3));
}

/** A value in full but without float noise (112.30000000000001 → 112.3), for what the model really uses. */
export function withoutNoise(value: number): number {
  return Number(value.toPrecision(12));
}

/** The decimals a number needs as written (`0.995` → 3, `112` → 0). */
export function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes('e')) {
    const [mantissa = '', exponent = '0'] = text.split('e');
    return Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exponent));
  }
  return text.split('.')[1]?.length ?? 0;
}

/** A number input's step: one unit in the last digit of the rounded example (5.8 → 0.1, 112 → 1). */
export function stepFor(example: number): string {
  const decimals = Math.min(decimalsOf(example), 6);
  return decimals === 0 ? '1' : (10 ** -decimals).toFixed(decimals);
}

/** A metric value: shares as percentages for accuracy-like metrics, others to 3 decimals. */
export function formatMetric(name: string, value: number): string {
  if (name === 'accuracy') return formatPercent(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Thousands separated, so row counts read at a glance. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A size in the largest binary unit that keeps it whole or one decimal: 10485760 → "10 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** A metric's name for people. */
export function metricLabel(name: string): string {
  return ({ accuracy: 'Accuracy', macroF1: 'Macro F1', rmse: 'RMSE', mae: 'MAE', r2: 'R²' } as Record<string, string>)[name] ?? name;
}
