// Loading never hangs and never fills memory: a FIFO or a device where an artifact should be is
// refused (regular files only), so is an artifact over the size cap; a store that never answers
// is a timed-out fetch; and SIGTERM stops a server whose loading hangs.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../registry/store/file.ts';
import { loadModels, modelsDirSource, storeSource } from '../../../serving/loader.ts';
import type { Fixture } from '../helpers.ts';
import { ROOT, spawnServe, writeFixture } from '../helpers.ts';

let fixture: Fixture;
/** A TCP server that accepts connections and never answers: a store endpoint that hangs. */
let silent: Server;
let silentUrl: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  fixture = await writeFixture();
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  silent?.close();
  await fixture?.cleanup();
});

const onlyIris = () => ({ ...fixture.lock, models: { iris: fixture.lock.models.iris! } });

describe('what an artifact path may be', () => {
  it('a FIFO is refused at once (not a regular file), in a models folder and in the file store', async () => {
    const dir = path.join(fixture.dir, 'fifo');
    const file = path.join(dir, 'iris', fixture.lock.models.iris!.version, 'model.json');
    await mkdir(path.dirname(file), { recursive: true });
    execFileSync('mkfifo', [file]);
    try {
      const result = await loadModels(onlyIris(), modelsDirSource(dir), { attempts: 1 });
      expect(result.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: not a regular file (a FIFO)']);
      // the file store has the same layout under models/
      const store = path.join(fixture.dir, 'fifo-store');
      await mkdir(path.join(store, 'models'), { recursive: true });
      await symlink(path.join(dir, 'iris'), path.join(store, 'models', 'iris'));
      const viaStore = await loadModels(onlyIris(), (name, entry, read) => new FileStore(store).get(name, entry.version, entry.sha256, read), { attempts: 1 });
      expect(viaStore.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: not a regular file (a FIFO)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a symlink to /dev/zero is refused (a device), not read for ever', async () => {
    const dir = path.join(fixture.dir, 'zero');
    const file = path.join(dir, 'iris', 'model.json');
    await mkdir(path.dirname(file), { recursive: true });
    await symlink('/dev/zero', file);
    const result = await loadModels(onlyIris(), modelsDirSource(dir), { attempts: 1 });
    expect(result.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: not a regular file (a device)']);
  });

  it('an artifact over the size cap is refused before it is read, with the limit', async () => {
    const result = await loadModels(onlyIris(), modelsDirSource(fixture.modelsDir), { attempts: 3, maxArtifactBytes: 1_000 });
    expect(result.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/^cannot fetch the artifact: \d+ bytes, over the limit of 1000 bytes$/)]);
    // and whatever a source gives, the loader checks the length too
    const big = await loadModels(onlyIris(), async () => new Uint8Array(2_000), { attempts: 1, maxArtifactBytes: 1_000 });
    expect(big.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: 2000 bytes, over the limit of 1000 bytes']);
    expect((await loadModels(onlyIris(), modelsDirSource(fixture.modelsDir))).failures).toEqual([]);
  });
});

describe('a store that never answers', () => {
  it('is a fetch that times out (retried, then refused), and the public reason names no bucket', async () => {
    const client = new S3Client({ endpoint: silentUrl, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const logs: Record<string, unknown>[] = [];
    const result = await loadModels(onlyIris(), storeSource('s3://secret-bucket-name/some/prefix', { s3Client: client }), { attempts: 2, retryDelayMs: 1, fetchTimeoutMs: 300, log: (r) => void logs.push(r) });
    expect(result.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: no answer within 300 ms']);
    expect(logs.filter((r) => r.msg === 'model fetch failed, retrying')).toHaveLength(1);
    expect(result.failures[0]!.detail).toMatch(/no answer within 300 ms/);
  });

  it('a source that ignores the abort signal is left behind at the timeout', async () => {
    const result = await loadModels(onlyIris(), () => new Promise<Uint8Array>(() => undefined), { attempts: 1, fetchTimeoutMs: 100 });
    expect(result.failures.map((f) => f.reason)).toEqual(['cannot fetch the artifact: no answer within 100 ms']);
  });

  it('SIGTERM stops the server while its loading hangs (exit 0)', async () => {
    const server = await spawnServe(process.execPath, [path.join(ROOT, 'cli/main.ts'), 'serve', '--lock', fixture.lockFile, '--store', 's3://hanging-bucket', '--port', '0', '--host', '127.0.0.1', '--workers', '1'], {
      env: { ...process.env, MLSHIP_S3_ENDPOINT: silentUrl, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', MLSHIP_FETCH_TIMEOUT: '600', MLSHIP_DRAIN_TIMEOUT: '1' },
    });
    // loading is under way (the store has the connections) and will not end by itself
    for (let i = 0; i < 200 && sockets.size === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await fetch(`http://127.0.0.1:${server.port}/v2/health/ready`, { headers: { connection: 'close' } })).status).toBe(503);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.records.some((r) => r.msg === 'stopped')).toBe(true);
  });
});
