/**
 * Batch jobs (`node bench/run.ts --only jobs`, or `node bench/jobs.ts [--rows N] [--seconds S]`):
 *
 * 1. rows/s of a 1,000,000-row job, from the upload to `succeeded` (and the worker's own time,
 *    startedAt → finishedAt), against the same rows through the synchronous CSV route (10
 *    requests of 100,000 rows, its limit, one after another);
 * 2. the job worker's peak RSS (VmHWM) over the job, beside the CSV's size: bounded memory;
 * 3. the synchronous single-row predict p99 (wrk), without a job, then while a job runs (one sized
 *    to outlast the window).
 *
 * `mlship serve` (one HTTP worker and its job worker, both on CPU 0 when there are two CPUs),
 * wrk and curl on CPU 1; PostgreSQL is a throwaway Debian cluster (tests/fixtures/postgres-cluster.ts).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publishArtifacts } from '../registry/publish.ts';
import { FileStore } from '../registry/store/index.ts';
import type { JobDocument } from '../serving/jobs/document.ts';
import { startPostgres } from '../tests/fixtures/postgres-cluster.ts';
import { loadSpec } from '../training/spec.ts';
import { trainModel } from '../training/train-model.ts';
import type { Child, WrkResult } from './serving/harness.ts';
import { CURL, freePort, has, pinning, runWrk, startProcess, waitUntil, WRK, wrkPostScript } from './serving/harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEADER = 'sepal_length,sepal_width,petal_length,petal_width';
const SYNC_SLICE = 100_000;
const BODY = JSON.stringify({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] });

export interface JobsBenchResult {
  rows: number;
  csvBytes: number;
  job: { endToEndMs: number; workerMs: number; rowsPerSecond: number; workerRowsPerSecond: number };
  sync: { requests: number; totalMs: number; rowsPerSecond: number };
  /** job rows/s ÷ synchronous rows/s (end to end) */
  ratio: number;
  workerPeakRssMb: number;
  /** The job worker's RSS before any job: the peak minus this is what a job costs. */
  workerIdleRssMb: number;
  p99: { withoutJobMs: number; withJobMs: number; without: WrkResult; with: WrkResult; jobRunningAtEnd: boolean };
}

function rowsCsv(rows: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + rows; i++) out.push(`${(43 + (i % 37)) / 10},${(20 + (i % 24)) / 10},${(10 + ((i * 7) % 59)) / 10},${(1 + ((i * 3) % 25)) / 10}`);
  return `${out.join('\n')}\n`;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

export async function benchJobs(log: (line: string) => void, options: { rows?: number; seconds?: number } = {}): Promise<JobsBenchResult> {
  const ROWS = options.rows ?? 1_000_000;
  const SECONDS = options.seconds ?? 10;
  log('## Batch jobs');
  if (!has(WRK)) throw new Error(`${WRK} is needed (Debian package wrk)`);
  const pin = pinning();
  log(`${pin.note}; ${ROWS.toLocaleString('en-US')} rows; wrk -t1 -c16 ${SECONDS} s`);
  const dir = mkdtempSync(path.join(tmpdir(), 'mlship-bench-jobs-'));
  const pg = await startPostgres();
  let serve: Child | undefined;
  try {
    const result = await trainModel(await loadSpec(path.join(ROOT, 'models', 'iris')), {});
    const store = new FileStore(path.join(dir, 'store'));
    const lockFile = path.join(dir, 'models.lock.json');
    await publishArtifacts([{ bytes: result.bytes, source: 'models/iris/model.yaml' }], { store, lockFile });

    const port = await freePort();
    const logFile = path.join(dir, 'serve.log');
    serve = startProcess(pin.server, process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', lockFile, '--store', store.uri, '--port', String(port), '--host', '127.0.0.1', '--workers', '1'], {
      logFile,
      cwd: dir,
      env: { ...process.env, DATABASE_URL: pg.url, MLSHIP_DRAIN_TIMEOUT: '3' },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${base}/v2/health/ready`)).status === 200, 60_000, 'mlship serve to become ready');
    await waitUntil(async () => /"msg":"job worker started"/.test(readFileSync(logFile, 'utf8')), 60_000, 'the job worker');
    const workerPid = Number(/"pid":(\d+),"level":"info","msg":"job worker started"/.exec(readFileSync(logFile, 'utf8'))?.[1]);

    const workerIdleRssMb = rssMb(workerPid);
    const csvFile = path.join(dir, 'rows.csv');
    writeFileSync(csvFile, HEADER + '\n' + rowsCsv(ROWS));
    const csvBytes = readFileSync(csvFile).length;
    const curl = (args: string[]) => {
      const argv = [...pin.client, CURL, '-s', ...args];
      return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
    };
    const submit = () => JSON.parse(curl(['-H', 'content-type: text/csv', '--data-binary', `@${csvFile}`, `${base}/v1/models/iris/jobs`])) as { id: string };
    const status = async (id: string) => (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as JobDocument;
    const waitDone = async (id: string) => {
      for (;;) {
        const doc = await status(id);
        if (doc.status !== 'queued' && doc.status !== 'running') return doc;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // 1. synchronous: the same rows, 100,000 per request
    const sliceFile = path.join(dir, 'slice.csv');
    let syncMs = 0;
    let requests = 0;
    for (let from = 0; from < ROWS; from += SYNC_SLICE) {
      writeFileSync(sliceFile, HEADER + '\n' + rowsCsv(Math.min(SYNC_SLICE, ROWS - from), from));
      const [code, seconds] = curl(['-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-H', 'content-type: text/csv', '--data-binary', `@${sliceFile}`, `${base}/v1/models/iris:predict`]).split(' ');
      if (code !== '200') throw new Error(`the synchronous CSV route answered ${code}`);
      syncMs += Number(seconds) * 1000;
      requests++;
    }
    const sync = { requests, totalMs: syncMs, rowsPerSecond: ROWS / (syncMs / 1000) };
    log(`synchronous CSV route: ${requests} requests of ≤ ${SYNC_SLICE.toLocaleString('en-US')} rows, ${syncMs.toFixed(0)} ms → ${Math.round(sync.rowsPerSecond).toLocaleString('en-US')} rows/s`);

    // 2. the job, end to end (upload → succeeded); one warm-up job first
    await waitDone(submit().id);
    const t0 = performance.now();
    const { id } = submit();
    const doc = await waitDone(id);
    const endToEndMs = performance.now() - t0;
    if (doc.status !== 'succeeded' || doc.rows.done !== ROWS) throw new Error(`the job ended ${doc.status}: ${JSON.stringify(doc.error)}`);
    const workerMs = Date.parse(doc.finishedAt!) - Date.parse(doc.startedAt!);
    const job = { endToEndMs, workerMs, rowsPerSecond: ROWS / (endToEndMs / 1000), workerRowsPerSecond: ROWS / (workerMs / 1000) };
    const workerPeakRssMb = peakRssMb(workerPid);
    log(
      `job: ${endToEndMs.toFixed(0)} ms upload → succeeded (${Math.round(job.rowsPerSecond).toLocaleString('en-US')} rows/s; worker ${workerMs} ms, ${Math.round(job.workerRowsPerSecond).toLocaleString('en-US')} rows/s) = ${(job.rowsPerSecond / sync.rowsPerSecond).toFixed(2)}× the synchronous route; job worker peak RSS ${workerPeakRssMb.toFixed(0)} MB (${workerIdleRssMb.toFixed(0)} MB idle before) for a ${(csvBytes / 1e6).toFixed(1)} MB CSV`,
    );

    // 3. single-row p99 without, then with jobs running (queued back to back to cover the window)
    const script = wrkPostScript(path.join(dir, 'single.lua'), BODY, 'application/json');
    const url = `${base}/v1/models/iris:predict`;
    runWrk(pin.client, url, script, 16, 2);
    const without = runWrk(pin.client, url, script, 16, SECONDS);
    // one job long enough to outlast the window: the same rows, repeated
    // (at most 50 copies, 760 MB: under the 1 GiB upload limit; the file is streamed, not read into curl's memory)
    const repeats = Math.min(50, Math.ceil((job.workerRowsPerSecond * (SECONDS + 5)) / ROWS));
    const bigFile = path.join(dir, 'big.csv');
    const rowsText = readFileSync(csvFile, 'utf8').slice(HEADER.length + 1);
    writeFileSync(bigFile, HEADER + '\n');
    for (let i = 0; i < repeats; i++) appendFileSync(bigFile, rowsText);
    const jobs = [(JSON.parse(curl(['-X', 'POST', '-H', 'content-type: text/csv', '-T', bigFile, `${base}/v1/models/iris/jobs`])) as { id: string }).id];
    await waitUntil(async () => (await status(jobs[0]!)).status !== 'queued', 30_000, 'a job to start');
    const withJob = runWrk(pin.client, url, script, 16, SECONDS);
    const jobRunningAtEnd = (await Promise.all(jobs.map(status))).some((d) => d.status === 'running');
    for (const j of jobs) await fetch(`${base}/v1/jobs/${j}`, { method: 'DELETE' });
    log(`single-row predict p99: ${without.p99Ms.toFixed(2)} ms without a job (${Math.round(without.requestsPerSecond).toLocaleString('en-US')} req/s), ${withJob.p99Ms.toFixed(2)} ms while a ${(repeats * ROWS).toLocaleString('en-US')}-row job runs (${Math.round(withJob.requestsPerSecond).toLocaleString('en-US')} req/s)${jobRunningAtEnd ? '' : ' (the job ended before the window did)'}`);

    return {
      rows: ROWS,
      csvBytes,
      job,
      sync,
      ratio: job.rowsPerSecond / sync.rowsPerSecond,
      workerPeakRssMb,
      workerIdleRssMb,
      p99: { withoutJobMs: without.p99Ms, withJobMs: withJob.p99Ms, without, with: withJob, jobRunningAtEnd },
    };
  } finally {
    await serve?.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, seconds: { type: 'string' } } });
  const out = await benchJobs((line) => process.stdout.write(`${line}\n`), { rows: values.rows ? Number(values.rows) : undefined, seconds: values.seconds ? Number(values.seconds) : undefined });
  process.stdout.write(`\n${JSON.stringify({ jobs: out })}\n`);
}
