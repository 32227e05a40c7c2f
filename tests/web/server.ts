// A real serving process for the browser tests: `startServer` (one worker, node's HTTP server) on a
// free port, serving the example models plus a mixed one (category, boolean, number), read from a
// models folder and pinned by a lock that records a commit, with a repository URL for the links.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Lock } from '../../registry/lock.ts';
import { emptyLock, entryFor, formatLock } from '../../registry/lock.ts';
import { modelsDirSource } from '../../serving/loader.ts';
import { startServer } from '../../serving/server.ts';
import type { RunningServer } from '../../serving/server.ts';
import { trainedExamples, trainedMixed } from '../serving/helpers.ts';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
export const REPOSITORY_URL = 'https://github.com/example/models';

export interface PageFixture {
  /** `<dir>/<name>/<version>/model.json` */
  modelsDir: string;
  lock: Lock;
  lockFile: string;
  cleanup(): Promise<void>;
}

/** The models folder and a lock pinning every model at COMMIT. */
export async function writePageFixture(): Promise<PageFixture> {
  const results = new Map(await trainedExamples());
  results.set('mixed', (await trainedMixed()).result);
  const dir = await mkdtemp(path.join(tmpdir(), 'mlship-web-'));
  const modelsDir = path.join(dir, 'models');
  const lock = emptyLock();
  for (const [name, r] of results) {
    const file = path.join(modelsDir, name, r.artifact.version, 'model.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, r.bytes);
    lock.models[name] = entryFor(r.artifact, r.sha256, { commit: COMMIT, spec: `models/${name}/model.yaml` });
  }
  const lockFile = path.join(dir, 'models.lock.json');
  await writeFile(lockFile, formatLock(lock));
  return { modelsDir, lock, lockFile, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface PageServer {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

export async function startPageServer(limits: { maxRows?: number; maxBodyBytes?: number } = {}): Promise<PageServer> {
  const fixture = await writePageFixture();
  const server = await startServer({
    lock: fixture.lock,
    fetchArtifact: modelsDirSource(fixture.modelsDir),
    port: 0,
    host: '127.0.0.1',
    workers: 1,
    limits,
    repositoryUrl: REPOSITORY_URL,
    write: () => undefined,
  });
  if (!(await server.loaded)) throw new Error('the page server did not load its models');
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    close: async () => {
      await server.close();
      await fixture.cleanup();
    },
  };
}

/** An app (e.g. the jobs harness's, tests/serving/jobs/helpers.ts) behind node's HTTP server on a free port. */
export async function listenApp(fetch: (request: Request) => Response | Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createAdaptorServer({ fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
