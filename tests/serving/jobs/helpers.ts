// Shared by the job tests: an app with jobs on a fresh database of the run's PostgreSQL, a
// file store in a temp folder, and a job worker in this process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../../../serving/app.ts';
import type { JobsConfig } from '../../../serving/jobs/config.ts';
import { DEFAULT_LEASE, DEFAULT_MAX_UPLOAD_BYTES } from '../../../serving/jobs/config.ts';
import type { JobDocument } from '../../../serving/jobs/document.ts';
import type { JobsService } from '../../../serving/jobs/service.ts';
import { openJobs } from '../../../serving/jobs/service.ts';
import type { JobWorker } from '../../../serving/jobs/worker.ts';
import { startJobWorker } from '../../../serving/jobs/worker.ts';
import type { NotifyOptions } from '../../../serving/jobs/notify.ts';
import { createLogger } from '../../../serving/log.ts';
import { stateWith } from '../../../serving/state.ts';
import { servedExamples } from '../helpers.ts';

export interface JobsHarness {
  dir: string;
  config: JobsConfig;
  app: ReturnType<typeof createApp>;
  service: JobsService;
  records: Record<string, unknown>[];
  startWorker(options?: { notify?: NotifyOptions; pieceChars?: number }): Promise<JobWorker>;
  /** Polls the job until it is in a final state (or `until` says so). */
  waitJob(id: string, until?: (doc: JobDocument) => boolean, headers?: Record<string, string>, everyMs?: number): Promise<JobDocument>;
  close(): Promise<void>;
}

export async function jobsHarness(databaseUrl: string, overrides: Partial<JobsConfig> = {}): Promise<JobsHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mlship-jobs-'));
  const config: JobsConfig = {
    databaseUrl,
    storeUri: pathToFileURL(dir).href,
    storeOptions: {},
    allowCallbackHosts: [],
    maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
    retentionSeconds: 3600,
    lease: { ...DEFAULT_LEASE, superviseIntervalSeconds: 1 },
    ...overrides,
  };
  const records: Record<string, unknown>[] = [];
  const logger = createLogger((text) => {
    for (const line of text.split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
  });
  const models = await servedExamples();
  const state = stateWith(models);
  const app = createApp({ state, logger, jobs: config });
  const service = await openJobs(config, { supervise: true });
  const workers: JobWorker[] = [];
  const harness: JobsHarness = {
    dir,
    config,
    app,
    service,
    records,
    async startWorker(options = {}) {
      const w = await startJobWorker({ service, models: state.models, logger, notify: options.notify, pollingIntervalSeconds: 0.5, pieceChars: options.pieceChars });
      workers.push(w);
      return w;
    },
    async waitJob(id, until = (d) => ['succeeded', 'failed', 'cancelled'].includes(d.status), headers = {}, everyMs = 100) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const res = await app.request(`/v1/jobs/${id}`, { headers });
        const doc = (await res.json()) as JobDocument;
        if (until(doc)) return doc;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${doc.status}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    async close() {
      for (const w of workers) await w.stop();
      await app.close();
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export function submitCsv(csv: string | Buffer, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body: csv };
}
