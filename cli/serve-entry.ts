#!/usr/bin/env node
/**
 * `mlship serve` as a process of its own, and the serving bundle's entry (actions/lib/serving-bundle.ts):
 * run as a script it is the serve command (the cluster primary, or the whole server with one
 * worker); forked by node:cluster it is a worker, since cluster.fork re-runs this same file. So
 * one file, source or bundle, is both.
 *
 * Each side imports only its own part (dynamic imports): a worker receives compiled models from the
 * primary and never reads the store, so it loads neither the command line nor the store's AWS SDK
 * (tests/serving/lean-worker.test.ts).
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

if (cluster.isWorker) {
  const [{ runWorker }, { closeOnSignals }] = await Promise.all([import('../serving/cluster/worker.ts'), import('./signals.ts')]);
  const worker = runWorker();
  closeOnSignals(worker);
  process.exit(await worker.closed);
} else {
  const [{ describeError, MlshipError }, { serveCommand }, { jobsDbCommand, workerCommand }, { EXIT, isFileSystemError }] = await Promise.all([
    import('../training/errors.ts'),
    import('./commands/serve.ts'),
    import('./commands/worker.ts'),
    import('./io.ts'),
  ]);
  const io = { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
  try {
    // `<entry> worker …` is the job worker the server starts beside its HTTP workers (same file, source or bundle).
    const [first, ...rest] = process.argv.slice(2);
    // `<entry> jobs-db DIR PORT` is its embedded database, when it has one.
    process.exitCode =
      first === 'worker' ? await workerCommand(rest, io) : first === 'jobs-db' ? await jobsDbCommand(rest, io) : await serveCommand(process.argv.slice(2), io, { workerEntry: fileURLToPath(import.meta.url) });
  } catch (err) {
    // as cli/run.ts reports them: one line, exit code 2
    if (!(err instanceof MlshipError || isFileSystemError(err) || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw err;
    process.stderr.write(`mlship serve: ${describeError(err)}\n`);
    process.exitCode = EXIT.badInput;
  }
}
