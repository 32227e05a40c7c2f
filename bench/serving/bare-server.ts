/**
 * The ceiling for the serving benchmark: a bare Hono route that answers a constant JSON body,
 * behind the same @hono/node-server setup (server options, keep-alive) and worker count as
 * `mlship serve`. Run: `node bench/serving/bare-server.ts PORT WORKERS`; prints `listening PORT`.
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../serving/http.ts';

const port = Number(process.argv[2] ?? 0);
const workers = Number(process.argv[3] ?? 1);

if (cluster.isPrimary && workers > 1) {
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m: { port: number }) => {
      if (++listening === workers) process.stdout.write(`listening ${m.port}\n`);
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const app = new Hono();
  const body = { predictions: ['setosa'] };
  app.post('*', (c) => c.json(body));
  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000, requestTimeout: 120_000 },
  }) as Server;
  server.listen(port, '127.0.0.1', () => {
    const bound = (server.address() as { port: number }).port;
    if (cluster.isWorker) process.send!({ port: bound });
    else process.stdout.write(`listening ${bound}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
