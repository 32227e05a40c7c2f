/**
 * The embedded database for `npm start` and a local `mlship serve`: PGlite (PostgreSQL compiled to
 * WebAssembly) with its data in a folder (`.mlship/jobs-db`), behind pglite-socket's server on
 * 127.0.0.1, so the `pg` driver and pg-boss connect to it as to any PostgreSQL, from every
 * process of the server (HTTP workers, the job worker). Only for one machine: PGlite is one
 * session multiplexed, and its folder must not be opened by two servers at once.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { embeddedUrl } from './embedded-url.ts';

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedDatabase(dataDir: string, options: { port?: number } = {}): Promise<EmbeddedDatabase> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 32 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:port"
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return {
    url: embeddedUrl(port),
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
