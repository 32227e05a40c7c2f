// `--metrics-port 0` with cluster workers: the workers share one port picked by the cluster, and the
// primary reports that port (not 0) in its `listening` log line.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../helpers.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await writeFixture();
});
afterAll(() => fixture?.cleanup());

describe('--metrics-port 0 with 2 workers', () => {
  it('logs the real metrics port in the primary, and /metrics answers there', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MLSHIP_')));
    const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/serve-entry.ts'), '--lock', fixture.lockFile, '--models-dir', fixture.modelsDir, '--port', '0', '--host', '127.0.0.1', '--workers', '2', '--metrics-port', '0'], { env });
    try {
      const listening = server.records.find((r) => r.msg === 'listening' && r.role === 'primary');
      expect(listening).toMatchObject({ workers: 2, metricsPort: expect.any(Number) });
      const metricsPort = listening!.metricsPort as number;
      expect(metricsPort).toBeGreaterThan(0);
      expect(metricsPort).not.toBe(server.port);
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { connection: 'close' } });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('mlship_');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });
});
