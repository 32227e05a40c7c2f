/** One in-process server (one worker) over the example fixture, for tests that need real sockets. */
import type { Limits } from '../../../serving/limits.ts';
import { modelsDirSource } from '../../../serving/loader.ts';
import type { RunningServer, StartOptions } from '../../../serving/server.ts';
import { startServer } from '../../../serving/server.ts';
import type { Fixture } from '../helpers.ts';
import { writeFixture } from '../helpers.ts';

export interface Served {
  fixture: Fixture;
  server: RunningServer;
  /** Every log line, parsed. */
  records: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function serveFixture(limits: Partial<Limits> = {}, options: Partial<StartOptions> = {}): Promise<Served> {
  const fixture = await writeFixture();
  const records: Record<string, unknown>[] = [];
  const server = await startServer({
    lock: fixture.lock,
    fetchArtifact: modelsDirSource(fixture.modelsDir),
    port: 0,
    host: '127.0.0.1',
    workers: 1,
    limits,
    // idle keep-alive connections (fetch keeps them) are closed at the drain deadline
    drainTimeoutMs: 2_000,
    write: (text) => {
      for (const line of text.split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
    },
    ...options,
  });
  if (!(await server.loaded)) throw new Error('the fixture did not load');
  return {
    fixture,
    server,
    records,
    stop: async () => {
      await server.close();
      await fixture.cleanup();
    },
  };
}
