/**
 * Prometheus metrics, with the text exposition written by hand (no client library):
 *
 * - `mlship_http_requests_total{route, model, status}`
 * - `mlship_http_request_duration_seconds{route, model}` (histogram)
 * - `mlship_predicted_rows_total{model, status}`: rows in predict requests, by the answer's status
 * - gauges: `mlship_ready`, `mlship_model_ready{model, version}`, `mlship_inflight_requests`, `mlship_workers`
 *
 * Label values are bounded: `route` is a fixed route name, `model` only ever a model the lock pins
 * (an unknown model in a URL counts as model=""), `status` an HTTP status.
 *
 * Each worker process counts its own; a `Snapshot` is plain data so the cluster primary can gather
 * every worker's and `/metrics` can answer with the sum, whichever worker takes the scrape.
 */

export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Snapshot {
  /** key: route \0 model \0 status */
  requests: Record<string, number>;
  /** key: route \0 model → [bucket counts (not cumulative)..., +Inf count, sum] */
  durations: Record<string, number[]>;
  /** key: model \0 status */
  rows: Record<string, number>;
  inflight: number;
}

interface Series {
  /** status → requests */
  statuses: Map<number, number>;
  /** bucket counts (not cumulative), +Inf, then the sum of seconds */
  histogram: Float64Array;
  /** status → rows */
  rows: Map<number, number>;
}

export class Metrics {
  /** route → model → series (nested maps keyed by the same interned strings: no key building per request) */
  private series = new Map<string, Map<string, Series>>();
  inflight = 0;

  observe(route: string, model: string, status: number, seconds: number, rows: number): void {
    let byModel = this.series.get(route);
    if (!byModel) this.series.set(route, (byModel = new Map()));
    let s = byModel.get(model);
    if (!s) byModel.set(model, (s = { statuses: new Map(), histogram: new Float64Array(LATENCY_BUCKETS.length + 2), rows: new Map() }));
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]!) b++;
    s.histogram[b]!++;
    s.histogram[LATENCY_BUCKETS.length + 1]! += seconds;
    if (rows > 0) s.rows.set(status, (s.rows.get(status) ?? 0) + rows);
  }

  snapshot(): Snapshot {
    const out: Snapshot = { requests: {}, durations: {}, rows: {}, inflight: this.inflight };
    for (const [route, byModel] of this.series) {
      for (const [model, s] of byModel) {
        for (const [status, n] of s.statuses) out.requests[`${route}\0${model}\0${status}`] = n;
        out.durations[`${route}\0${model}`] = Array.from(s.histogram);
        for (const [status, n] of s.rows) {
          const key = `${model}\0${status}`;
          out.rows[key] = (out.rows[key] ?? 0) + n;
        }
      }
    }
    return out;
  }
}

/** Sums snapshots (one per worker). */
export function mergeSnapshots(snapshots: readonly Snapshot[]): Snapshot {
  const out: Snapshot = { requests: {}, durations: {}, rows: {}, inflight: 0 };
  for (const s of snapshots) {
    for (const [k, v] of Object.entries(s.requests)) out.requests[k] = (out.requests[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.rows)) out.rows[k] = (out.rows[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.durations)) {
      const acc = (out.durations[k] ??= new Array<number>(v.length).fill(0));
      v.forEach((x, i) => (acc[i] = acc[i]! + x));
    }
    out.inflight += s.inflight;
  }
  return out;
}

export interface Gauges {
  ready: boolean;
  models: { name: string; version: string; ready: boolean }[];
  workers: number;
}

function esc(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: [string, string][]): string {
  return `{${pairs.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

/** The Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(s: Snapshot, gauges: Gauges): string {
  const lines: string[] = [];
  const sorted = <T>(o: Record<string, T>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  lines.push('# HELP mlship_http_requests_total HTTP requests answered, by route, model and status.');
  lines.push('# TYPE mlship_http_requests_total counter');
  for (const [k, v] of sorted(s.requests)) {
    const [route = '', model = '', status = ''] = k.split('\0');
    lines.push(`mlship_http_requests_total${labels([['route', route], ['model', model], ['status', status]])} ${v}`);
  }

  lines.push('# HELP mlship_http_request_duration_seconds Time from the request arriving to the response being ready.');
  lines.push('# TYPE mlship_http_request_duration_seconds histogram');
  for (const [k, v] of sorted(s.durations)) {
    const [route = '', model = ''] = k.split('\0');
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += v[i]!;
      lines.push(`mlship_http_request_duration_seconds_bucket${labels([['route', route], ['model', model], ['le', String(le)]])} ${cumulative}`);
    });
    cumulative += v[LATENCY_BUCKETS.length]!;
    lines.push(`mlship_http_request_duration_seconds_bucket${labels([['route', route], ['model', model], ['le', '+Inf']])} ${cumulative}`);
    lines.push(`mlship_http_request_duration_seconds_sum${labels([['route', route], ['model', model]])} ${v[LATENCY_BUCKETS.length + 1]}`);
    lines.push(`mlship_http_request_duration_seconds_count${labels([['route', route], ['model', model]])} ${cumulative}`);
  }

  lines.push('# HELP mlship_predicted_rows_total Rows in prediction requests, by model and the status of the answer.');
  lines.push('# TYPE mlship_predicted_rows_total counter');
  for (const [k, v] of sorted(s.rows)) {
    const [model = '', status = ''] = k.split('\0');
    lines.push(`mlship_predicted_rows_total${labels([['model', model], ['status', status]])} ${v}`);
  }

  lines.push('# HELP mlship_inflight_requests Prediction requests being handled now.');
  lines.push('# TYPE mlship_inflight_requests gauge');
  lines.push(`mlship_inflight_requests ${s.inflight}`);
  lines.push('# HELP mlship_ready 1 when every pinned model is verified and loaded and the server is not draining.');
  lines.push('# TYPE mlship_ready gauge');
  lines.push(`mlship_ready ${gauges.ready ? 1 : 0}`);
  lines.push('# HELP mlship_model_ready 1 when the pinned model version is verified, loaded and served.');
  lines.push('# TYPE mlship_model_ready gauge');
  for (const m of gauges.models) lines.push(`mlship_model_ready${labels([['model', m.name], ['version', m.version]])} ${m.ready ? 1 : 0}`);
  lines.push('# HELP mlship_workers Worker processes serving requests.');
  lines.push('# TYPE mlship_workers gauge');
  lines.push(`mlship_workers ${gauges.workers}`);
  return `${lines.join('\n')}\n`;
}
