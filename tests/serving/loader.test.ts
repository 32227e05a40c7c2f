// Loading what the lock pins: a model is served only when its bytes hash to the pinned sha256,
// parse, and match the entry's name, version and task; anything else keeps the server not ready,
// with a log line naming the model and the reason. Also the built-in artifact sources, and the
// server over real HTTP (in-process) with a tampered artifact.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockEntry } from '../../registry/lock.ts';
import { run } from '../../cli/run.ts';
import type { FetchArtifact } from '../../serving/loader.ts';
import { loadModels, modelsDirSource, storeSource, verifyArtifact } from '../../serving/loader.ts';
import { startServer } from '../../serving/server.ts';
import { modelFromShared, shareModel } from '../../serving/model.ts';
import { sha256 } from '../../training/artifact.ts';
import type { Fixture } from './helpers.ts';
import { trainedExamples, waitFor, writeFixture } from './helpers.ts';

let good: Fixture;
let tampered: Fixture;

beforeAll(async () => {
  good = await writeFixture();
  tampered = await writeFixture({ tamper: ['iris'] });
});
afterAll(async () => {
  await good?.cleanup();
  await tampered?.cleanup();
});

const records = () => {
  const out: Record<string, unknown>[] = [];
  return { out, log: (r: Record<string, unknown>) => void out.push(r) };
};

describe('loadModels', () => {
  it('loads and compiles every pinned model, logging each', async () => {
    const { out, log } = records();
    const result = await loadModels(good.lock, storeSource(good.store), { log });
    expect(result.failures).toEqual([]);
    expect(result.models.map((m) => m.name)).toEqual(['diabetes', 'iris', 'wine']);
    const trained = await trainedExamples();
    expect(result.models.map((m) => m.sha256)).toEqual(result.models.map((m) => sha256(trained.get(m.name)!.bytes)));
    expect(result.models.map((m) => m.version)).toEqual(result.models.map((m) => trained.get(m.name)!.artifact.version));
    expect(out.filter((r) => r.msg === 'model loaded').map((r) => r.model).sort()).toEqual(['diabetes', 'iris', 'wine']);
  });

  it('a tampered artifact (sha256 mismatch) is refused with a log line naming it; the others load', async () => {
    const { out, log } = records();
    const result = await loadModels(tampered.lock, storeSource(tampered.store), { log });
    expect(result.models.map((m) => m.name)).toEqual(['diabetes', 'wine']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({
      name: 'iris',
      reason: expect.stringMatching(/model "iris" version [0-9a-f]{12}: sha256 mismatch: expected [0-9a-f]{64} \(pinned\), but the stored object has [0-9a-f]{64}/),
    });
    expect(out).toContainEqual(expect.objectContaining({ level: 'error', msg: 'model not served', model: 'iris', version: tampered.lock.models.iris!.version, reason: expect.stringMatching(/sha256 mismatch/) }));
  });

  it('bytes that match the pinned digest must still parse and carry the entry name, version and task', async () => {
    const results = await trainedExamples();
    const iris = results.get('iris')!;
    const entry = good.lock.models.iris!;
    const pin = (bytes: Buffer, over: Partial<LockEntry> = {}): LockEntry => ({ ...entry, sha256: sha256(bytes), ...over });

    // altered content re-pinned by digest: the version no longer matches the content
    const altered = Buffer.from(iris.bytes.toString().replace(/"splitValue":([0-9.]+)/, (_, v: string) => `"splitValue":${Number(v) + 1}`));
    expect(() => verifyArtifact('iris', pin(altered), altered)).toThrow(/not a valid artifact: .*version \w+ does not match its content/);
    const garbage = Buffer.from('{"format": ');
    expect(() => verifyArtifact('iris', pin(garbage), garbage)).toThrow(/not a valid artifact: .*not valid JSON/);
    expect(() => verifyArtifact('iris', pin(iris.bytes, { version: 'aaaaaaaaaaaa' }), iris.bytes)).toThrow(/the artifact is version \w+, but the lock pins version aaaaaaaaaaaa/);
    expect(() => verifyArtifact('setosa', pin(iris.bytes), iris.bytes)).toThrow(/the artifact is model "iris", but the lock entry is "setosa"/);
    expect(() => verifyArtifact('iris', pin(iris.bytes, { task: 'regression' }), iris.bytes)).toThrow(/the artifact is a classification model, but the lock says regression/);
    expect(verifyArtifact('iris', pin(iris.bytes), iris.bytes).name).toBe('iris');
  });

  it('a cluster worker serves what its primary compiled: the same answers through a structured clone, no functions and no parsed trees in it', async () => {
    const results = await trainedExamples();
    for (const name of ['diabetes', 'iris', 'wine']) {
      const fromPrimary = verifyArtifact(name, good.lock.models[name]!, results.get(name)!.bytes);
      // what `serialization: 'advanced'` does to a message (it throws on a function)
      const sent = deserialize(serialize(shareModel(fromPrimary))) as ReturnType<typeof shareModel>;
      expect(Object.keys(sent.artifact)).not.toContain('model');
      const inWorker = modelFromShared(sent);
      expect(inWorker.info).toEqual(fromPrimary.info);
      expect(inWorker.metadata).toEqual(fromPrimary.metadata);
      expect(inWorker.featureIndex).toEqual(fromPrimary.featureIndex);
      expect(inWorker.predictor.nodeCount).toBe(fromPrimary.predictor.nodeCount);
      const p = fromPrimary.predictor;
      // 64 rows of inputs spread over ±320, so that they end in many different leaves
      const rows = 64;
      const x = Float64Array.from({ length: rows * p.width }, (_, i) => Math.sin(i * 0.7) * (1 + (i % 7)) * 40);
      if (p.task === 'classification') {
        expect(inWorker.predictor.classify(x, rows)).toEqual(p.classify(x, rows));
        expect(inWorker.predictor.probabilities(x, rows)).toEqual(p.probabilities(x, rows));
        expect(new Set(p.classify(x, rows)).size).toBeGreaterThan(1);
      } else {
        expect(inWorker.predictor.regress(x, rows)).toEqual(p.regress(x, rows));
        expect(new Set(p.regress(x, rows)).size).toBeGreaterThan(1);
      }
    }
  });

  it('retries fetch errors, but not a missing artifact', async () => {
    let calls = 0;
    const flaky: FetchArtifact = async (name, entry, read) => {
      if (name === 'iris' && ++calls < 3) throw new Error('ECONNRESET');
      return storeSource(good.store)(name, entry, read);
    };
    const result = await loadModels(good.lock, flaky, { attempts: 3, retryDelayMs: 1 });
    expect(result.failures).toEqual([]);
    expect(calls).toBe(3);

    let missingCalls = 0;
    const missing: FetchArtifact = async () => {
      missingCalls++;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    };
    const none = await loadModels(good.lock, missing, { attempts: 3, retryDelayMs: 1 });
    expect(none.failures.map((f) => f.reason)).toEqual(Array(3).fill(expect.stringMatching(/^cannot fetch the artifact: no such file/)));
    expect(missingCalls).toBe(3);
  });
});

describe('modelsDirSource', () => {
  it('reads DIR/<name>/<version>/model.json, else DIR/<name>/model.json', async () => {
    const versioned = await loadModels(good.lock, modelsDirSource(good.modelsDir));
    expect(versioned.failures).toEqual([]);
    // the flat layout `mlship train --out DIR` writes
    const flatDir = path.join(good.dir, 'flat');
    for (const [name, entry] of Object.entries(good.lock.models)) {
      await mkdir(path.join(flatDir, name), { recursive: true });
      await writeFile(path.join(flatDir, name, 'model.json'), await readFile(path.join(good.modelsDir, name, entry.version, 'model.json')));
    }
    const flat = await loadModels(good.lock, modelsDirSource(flatDir));
    expect(flat.models.map((m) => m.name)).toEqual(['diabetes', 'iris', 'wine']);
    const empty = await loadModels(good.lock, modelsDirSource(path.join(good.dir, 'nowhere')), { attempts: 1 });
    // the log says where it looked; the public reason names no path
    expect(empty.failures[0]!.detail).toMatch(/^cannot fetch the artifact: .*neither .*diabetes.* nor /s);
    expect(empty.failures[0]!.reason).toBe('cannot fetch the artifact: model "diabetes" version ' + good.lock.models.diabetes!.version + ' is in neither <name>/<version>/model.json nor <name>/model.json of the models folder');
  });
});

describe('startServer (one process, real HTTP)', () => {
  it('a tampered artifact keeps the server not ready; the model is never served', async () => {
    const lines: string[] = [];
    const server = await startServer({ lock: tampered.lock, fetchArtifact: storeSource(tampered.store), port: 0, host: '127.0.0.1', workers: 1, drainTimeoutMs: 1_000, write: (t) => void lines.push(t) });
    try {
      expect(await server.loaded).toBe(false);
      const base = `http://127.0.0.1:${server.port}`;
      const ready = await fetch(`${base}/v2/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: string }).error).toMatch(/model "iris" version \w+ is not served: .*sha256 mismatch: expected [0-9a-f]{64} \(pinned\)/);
      expect((await fetch(`${base}/v2/models/iris`)).status).toBe(503);
      const predict = await fetch(`${base}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[1,2,3,4]]}' });
      expect(predict.status).toBe(503);
      expect((await fetch(`${base}/v2/models/wine/ready`)).status).toBe(200);
      await waitFor(() => lines.join('').includes('not ready'));
      const log = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(log).toContainEqual(expect.objectContaining({ level: 'error', msg: 'model not served', model: 'iris', reason: expect.stringMatching(/sha256 mismatch/) }));
      expect(log).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringMatching(/^not ready/) }));
    } finally {
      await server.close();
    }
  });

  it('serves over HTTP: ready after loading, Content-Length body limit, drains on close', async () => {
    const server = await startServer({ lock: good.lock, fetchArtifact: storeSource(good.store), port: 0, host: '127.0.0.1', workers: 1, drainTimeoutMs: 1_000, limits: { maxBodyBytes: 1000 }, write: () => undefined });
    const base = `http://127.0.0.1:${server.port}`;
    expect(await server.loaded).toBe(true);
    expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
    const ok = await fetch(`${base}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"instances":[[5.1,3.5,1.4,0.2]]}' });
    expect(await ok.json()).toEqual({ predictions: ['setosa'] });
    const big = await fetch(`${base}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: Array(200).fill([5.1, 3.5, 1.4, 0.2]) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/over the limit of 1000 bytes/);
    // a chunked body (no Content-Length) is cut off while streaming
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/v1/models/iris:predict', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write('{"instances":[');
      for (let i = 0; i < 100; i++) req.write('[5.1,3.5,1.4,0.2],');
      req.end('[5.1,3.5,1.4,0.2]]}');
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error).toMatch(/more than the limit of 1000 bytes/);
    // and a client that gives up halfway is not an error of ours
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/v1/models/iris:predict', headers: { 'content-type': 'application/json', 'content-length': '500' } });
      req.on('error', () => resolve());
      req.write('{"instances":[');
      setTimeout(() => req.destroy(), 50);
    });
    expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
    await server.close();
    await server.closed;
    await expect(fetch(`${base}/v2/health/live`)).rejects.toThrow();
  });
});

describe('mlship serve: bad usage exits 2 before serving', () => {
  const io = () => {
    const err: string[] = [];
    return { err, io: { cwd: good.dir, env: {}, stdout: { write: () => true }, stderr: { write: (t: string) => void err.push(t) } } };
  };
  it('a missing or invalid lock, conflicting sources, bad numbers', async () => {
    for (const [args, message] of [
      [['--lock', 'missing.json'], /cannot read the lock/],
      [['--store', 's3://b', '--models-dir', 'x'], /either --store or --models-dir/],
      [['--max-rows', 'lots'], /--max-rows \(MLSHIP_MAX_ROWS\) must be a whole number/],
      [['--port', '70000'], /at most 65535/],
      [['--metrics-port', '8080', '--port', '8080'], /--metrics-port must be another port than --port/],
      [['--body-timeout', '0'], /--body-timeout \(MLSHIP_BODY_TIMEOUT\) must be a whole number ≥ 1/],
      [['--min-body-rate', 'fast'], /--min-body-rate \(MLSHIP_MIN_BODY_RATE\) must be a whole number ≥ 0/],
      [['--max-artifact-bytes=0'], /--max-artifact-bytes \(MLSHIP_MAX_ARTIFACT_BYTES\) must be a whole number ≥ 1/],
      [['--fetch-timeout', '1.5'], /--fetch-timeout \(MLSHIP_FETCH_TIMEOUT\) must be a whole number ≥ 1/],
      [['--store', 'ftp://b'], /unsupported store "ftp:\/\/b": use s3:\/\/bucket\/prefix or file:\/\/path/],
    ] as const) {
      const { err, io: cio } = io();
      expect(await run(['serve', ...args], cio)).toBe(2);
      expect(err.join('')).toMatch(message);
    }
    const { err, io: cio } = io();
    await writeFile(path.join(good.dir, 'bad.lock.json'), '{"lockfileVersion": 1, "models": {"iris": {}}}');
    expect(await run(['serve', '--lock', 'bad.lock.json'], cio)).toBe(2);
    expect(err.join('')).toMatch(/bad\.lock\.json, model "iris", field "version": is required/);
  });
});
