/**
 * Prometheus metrics, with prom-client:
 *
 * - `mlship_http_requests_total{route, model, status}`
 * - `mlship_http_request_duration_seconds{route, model}` (histogram)
 * - `mlship_predicted_rows_total{model, status}`: rows in predict requests, by the answer's status
 * - gauges: `mlship_ready`, `mlship_model_ready{model, version}`, `mlship_inflight_requests`, `mlship_workers`
 *
 * Label values are bounded: `route` is a fixed route name, `model` only ever a model the lock pins
 * (an unknown model in a URL counts as model=""), `status` an HTTP status.
 *
 * Each process counts in its own registry. In a cluster, a scrape may arrive at any worker: that
 * worker asks the primary, whose prom-client `AggregatorRegistry` gathers every worker's registry
 * and sums them (cluster/primary.ts). The readiness gauges take the minimum over workers (ready
 * only when every worker is), `mlship_workers` any worker's value.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricObjectWithValues, MetricValueWithName } from 'prom-client';
import type { ServingState } from './state.ts';
import { notReadyReason } from './state.ts';

export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

type Exported = MetricObjectWithValues<MetricValueWithName<string>> & { values: (MetricValueWithName<string> & { sharedLabels?: Record<string, string | number> })[] };

/**
 * A histogram whose bucket lines carry `le` after the series' own labels
 * (`{route="v1_predict",model="iris",le="0.001"}`), as they always have here; prom-client puts it first.
 */
class Histogram_ extends Histogram<string> {
  async getForPromString(): Promise<Exported> {
    const data = await (Histogram.prototype as unknown as { getForPromString(this: Histogram<string>): Promise<Exported> }).getForPromString.call(this);
    for (const v of data.values) {
      v.labels = { ...v.sharedLabels, ...v.labels };
      v.sharedLabels = {};
    }
    return data;
  }
}

export class Metrics {
  readonly registry = new Registry();
  /** Prediction requests being handled now (a plain number: the in-flight gate counts it per request). */
  inflight = 0;
  private state: ServingState | undefined;
  private readonly requests: Counter<string>;
  private readonly durations: Histogram<string>;
  private readonly rows: Counter<string>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'mlship_http_requests_total', help: 'HTTP requests answered, by route, model and status.', labelNames: ['route', 'model', 'status'], registers });
    this.durations = new Histogram_({
      name: 'mlship_http_request_duration_seconds',
      help: 'Time from the request arriving to the response being ready.',
      labelNames: ['route', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rows = new Counter({ name: 'mlship_predicted_rows_total', help: 'Rows in prediction requests, by model and the status of the answer.', labelNames: ['model', 'status'], registers });
    // collect() runs on each scrape, with `this` the gauge: these read the current values.
    const inflight = () => this.inflight;
    const watched = () => this.state;
    new Gauge({
      name: 'mlship_inflight_requests',
      help: 'Prediction requests being handled now.',
      registers,
      collect() {
        this.set(inflight());
      },
    });
    new Gauge({
      name: 'mlship_ready',
      help: '1 when every pinned model is verified and loaded and the server is not draining.',
      registers,
      aggregator: 'min',
      collect() {
        const state = watched();
        this.set(state && notReadyReason(state) === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mlship_model_ready',
      help: '1 when the pinned model version is verified, loaded and served.',
      labelNames: ['model', 'version'],
      registers,
      aggregator: 'min',
      collect() {
        this.reset();
        const state = watched();
        if (!state) return;
        for (const m of state.models.values()) this.set({ model: m.name, version: m.version }, state.draining ? 0 : 1);
        for (const f of state.failures.values()) this.set({ model: f.name, version: f.entry.version }, 0);
      },
    });
    new Gauge({
      name: 'mlship_workers',
      help: 'Worker processes serving requests.',
      registers,
      aggregator: 'max',
      collect() {
        this.set(watched()?.workers ?? 1);
      },
    });
  }

  /** The serving state the readiness gauges report. */
  watch(state: ServingState): void {
    this.state = state;
  }

  /** One answered request. */
  observe(route: string, model: string, status: number, seconds: number, rows: number): void {
    this.requests.inc({ route, model, status });
    this.durations.observe({ route, model }, seconds);
    if (rows > 0) this.rows.inc({ model, status }, rows);
  }

  /** This process's metrics, as Prometheus text. */
  text(): Promise<string> {
    return this.registry.metrics().then(exposition);
  }

  /** Lets the cluster primary's AggregatorRegistry read this registry (call once, in a worker). */
  serveToPrimary(): void {
    new AggregatorRegistry(); // installs prom-client's worker-side listener
    AggregatorRegistry.setRegistries([this.registry]);
  }
}

/** Every worker's metrics summed, as Prometheus text (in the cluster primary). */
export function clusterMetricsText(aggregator: Pick<AggregatorRegistry<typeof METRICS_CONTENT_TYPE>, 'clusterMetrics'>): Promise<string> {
  return aggregator.clusterMetrics().then(exposition);
}

/** prom-client separates metrics with blank lines; the exposition here has none (one line per sample or comment). */
function exposition(text: string): string {
  return text.replaceAll('\n\n', '\n');
}
