/** `mlship serve` (from source) as a child process for the soak and attack benchmarks, ready to answer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleServing } from '../../actions/lib/serving-bundle.ts';
import type { Child } from './harness.ts';
import { freePort, startProcess, waitUntil } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeOptions {
  lockFile: string;
  storeUri: string;
  logFile: string;
  workers: number;
  /** taskset prefix */
  prefix?: string[];
  /** node flags, e.g. a heap cap */
  nodeArgs?: string[];
  /** added to the environment */
  env?: NodeJS.ProcessEnv;
  /** The script taking `mlship serve`'s flags: default cli/main.ts serve (a serving bundle also takes them). */
  script?: string[];
}

export async function startServe(options: ServeOptions): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const args = [...(options.nodeArgs ?? []), ...(options.script ?? [path.join(ROOT, 'cli/main.ts'), 'serve']), '--lock', options.lockFile, '--store', options.storeUri, '--port', String(port), '--host', '127.0.0.1', '--workers', String(options.workers)];
  const child = startProcess(options.prefix ?? [], process.execPath, args, { logFile: options.logFile, env: { ...process.env, MLSHIP_WORKERS: '', MLSHIP_DRAIN_TIMEOUT: '3', ...options.env } });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${url}/v2/health/ready`)).status === 200, 30_000, 'mlship serve to become ready');
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, url };
}

/**
 * Trains iris like the serving bench (bench/serving.ts `trainIris`) in a temporary folder, serves
 * it, runs `use` with the server and the folder, then stops the server and removes the folder.
 */
export async function withIrisServer<T>(name: string, options: Pick<ServeOptions, 'workers' | 'prefix' | 'nodeArgs' | 'env'> & { bundle?: boolean }, use: (serve: { child: Child; url: string }, dir: string) => Promise<T>): Promise<T> {
  const { trainIris } = await import('../serving.ts');
  const dir = mkdtempSync(path.join(tmpdir(), `mlship-bench-${name}-`));
  try {
    const { lockFile, store } = await trainIris(dir);
    const script = options.bundle ? [(await bundleServing({ outfile: path.join(dir, 'bundle/serve.mjs') })).outfile] : undefined;
    const serve = await startServe({ ...options, script, lockFile, storeUri: store.uri, logFile: path.join(dir, 'serve.log') });
    try {
      return await use(serve, dir);
    } finally {
      await serve.child.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `node bench/serving/<name>.ts`: runs one benchmark alone and prints its figures as JSON. */
export async function runAlone(bench: (log: (line: string) => void) => Promise<unknown>): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`\n${JSON.stringify(await bench(log))}`);
}
