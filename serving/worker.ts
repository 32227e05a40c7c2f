/** Cluster worker entry: forked by `startServer` (server.ts) with its configuration in the environment. */
import { runWorker } from './server.ts';
import type { WorkerConfig } from './worker-protocol.ts';
import { WORKER_CONFIG_ENV } from './worker-protocol.ts';

const raw = process.env[WORKER_CONFIG_ENV];
if (!raw) {
  process.stderr.write(`serving/worker.ts runs as a cluster worker of startServer (no ${WORKER_CONFIG_ENV})\n`);
  process.exit(2);
}
await runWorker(JSON.parse(raw) as WorkerConfig);
