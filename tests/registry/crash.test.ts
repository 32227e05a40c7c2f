/**
 * A publisher killed mid-write (SIGKILL, no chance to clean up) leaves no partial object visible,
 * in either store, and the version can be published afterwards.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStore, NotFoundError, S3Store } from '../../registry/store/index.ts';
import type { ModelStore } from '../../registry/store/index.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { sha256 } from '../../training/artifact.ts';
import { REPO, tempDir } from '../helpers/temp.ts';
import { paddedArtifact, trainedExamples } from '../fixtures/artifacts.ts';
import { requireCeph, useRgw } from '../fixtures/s3.ts';

const MB = 1024 * 1024;
const root = tempDir('mlship-crash-');
let big: SerializedArtifact;
let bigFile: string;

beforeAll(async () => {
  const iris = (await trainedExamples()).find((e) => e.artifact.name === 'iris')!;
  big = paddedArtifact(iris.artifact, 20 * MB);
  bigFile = path.join(root, 'big.json');
  writeFileSync(bigFile, big.bytes);
});

/** Runs crash-put.ts, waits until it is mid-write, SIGKILLs it; returns what it printed. */
async function killMidWrite(storeUri: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(process.execPath, [path.join(REPO, 'tests/fixtures/crash-put.ts'), storeUri, big.artifact.name, big.artifact.version, bigFile], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the publisher never reported progress: ${out}${err}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('writing')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the publisher exited (${code ?? signal}) before being killed: ${out}${err}`));
    });
  });
  child.kill('SIGKILL');
  expect((await exited).signal).toBe('SIGKILL');
  expect(out).not.toContain('finished');
  return out;
}

async function expectNothingVisible(store: ModelStore) {
  const { name, version } = big.artifact;
  expect(await store.exists(name, version)).toBe(false);
  expect(await store.head(name, version)).toBeUndefined();
  expect(await store.listVersions(name)).toEqual([]);
  await expect(store.get(name, version, big.sha256)).rejects.toBeInstanceOf(NotFoundError);
}

async function expectPublishableAfterwards(store: ModelStore) {
  const { name, version } = big.artifact;
  expect(await store.put(name, version, big.bytes)).toMatchObject({ status: 'published', sha256: big.sha256 });
  expect(sha256(await store.get(name, version, big.sha256))).toBe(big.sha256);
  expect(await store.listVersions(name)).toEqual([version]);
}

describe('a publisher killed mid-write', () => {
  it('file store: only a stray temp file remains, never a partial model.json', async () => {
    const store = new FileStore(path.join(root, 'store'));
    const out = await killMidWrite(store.uri);
    const [loaded, total] = /writing (\d+)\/(\d+)/.exec(out)!.slice(1).map(Number) as [number, number];
    expect(loaded).toBeLessThan(total);
    const dir = path.dirname(store.fileFor(big.artifact.name, big.artifact.version));
    const left = readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.model\.json\.[0-9a-f]{12}\.tmp$/);
    expect(statSync(path.join(dir, left[0]!)).size).toBeLessThan(big.bytes.length); // it really was cut off
    await expectNothingVisible(store);
    await expectPublishableAfterwards(store);
  });

  describe('S3 (Ceph RGW), multipart', () => {
    if (!requireCeph()) return;
    const rgw = useRgw();

    it('leaves an unfinished upload that no reader sees', async () => {
      const client = rgw.client();
      const bucket = await rgw.bucket(client);
      const store = new S3Store(`s3://${bucket}/crash`, { client, multipartThreshold: 5 * MB, partSize: 5 * MB });
      await killMidWrite(store.uri, {
        MLSHIP_S3_ENDPOINT: rgw.endpoint.endpoint,
        AWS_REGION: rgw.endpoint.region,
        AWS_ACCESS_KEY_ID: rgw.endpoint.accessKeyId,
        AWS_SECRET_ACCESS_KEY: rgw.endpoint.secretAccessKey,
        MLSHIP_TEST_MULTIPART_THRESHOLD: String(5 * MB),
      });
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(uploads.Uploads?.map((u) => u.Key)).toEqual([store.keyFor(big.artifact.name, big.artifact.version)]); // cut off mid-upload
      await expectNothingVisible(store);
      await expectPublishableAfterwards(store);
    });
  });
});
