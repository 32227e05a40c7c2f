/**
 * The S3 store against a real S3 implementation (Ceph RGW) through the real @aws-sdk/client-s3.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, IntegrityError, NotFoundError, S3Store, StoreError, openStore } from '../../registry/store/index.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { sha256 } from '../../training/artifact.ts';
import { paddedArtifact, trainedExamples } from '../fixtures/artifacts.ts';
import { requireCeph, useRgw } from '../fixtures/s3.ts';
import { describeError } from '../../training/errors.ts';
import { rejected } from '../helpers/errors.ts';

const MB = 1024 * 1024;

describe('S3 store on Ceph RGW', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();
  let client: S3Client;
  let iris: SerializedArtifact;
  let big: SerializedArtifact;

  beforeAll(async () => {
    client = rgw.client();
    iris = (await trainedExamples()).find((e) => e.artifact.name === 'iris')!;
    big = paddedArtifact(iris.artifact, 20 * MB);
  });

  const s3Store = async (prefix = '', options: { multipartThreshold?: number; partSize?: number } = {}) =>
    openStore(`s3://${await rgw.bucket(client)}${prefix}`, { s3Client: client, ...options }) as S3Store;
  const raw = async (store: S3Store, name: string, version: string) => {
    const r = await client.send(new GetObjectCommand({ Bucket: store.bucket, Key: store.keyFor(name, version) }));
    return { bytes: Buffer.from(await r.Body!.transformToByteArray()), etag: r.ETag, metadata: r.Metadata, lastModified: r.LastModified };
  };

  it('the server refuses a conditional overwrite with 412 (If-None-Match: *)', async () => {
    const Bucket = await rgw.bucket(client);
    await client.send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.from('first'), IfNoneMatch: '*' }));
    const err = await client.send(new PutObjectCommand({ Bucket, Key: 'k', Body: Buffer.from('second'), IfNoneMatch: '*' })).catch((e: unknown) => e);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('publishes with the sha256 in the object metadata and reads it back verified', async () => {
    const store = await s3Store('/team/prod');
    const { name, version } = iris.artifact;
    const put = await store.put(name, version, iris.bytes);
    expect(put).toEqual({ status: 'published', uri: `s3://${store.bucket}/team/prod/models/iris/${version}/model.json`, sha256: iris.sha256, size: iris.bytes.length, multipart: false });
    const head = await client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: `team/prod/models/iris/${version}/model.json` }));
    expect(head.Metadata?.sha256).toBe(iris.sha256); // x-amz-meta-sha256
    expect(head.ContentType).toBe('application/json');
    expect((await store.get(name, version, iris.sha256)).equals(iris.bytes)).toBe(true);
    expect(await store.head(name, version)).toMatchObject({ uri: put.uri, size: iris.bytes.length, sha256: iris.sha256 });
    expect(await store.exists(name, 'ffffffffffff')).toBe(false);
    expect(await store.listVersions(name)).toEqual([version]);
  });

  it('publishing the same bytes again is a no-op found through the 412 path', async () => {
    const store = await s3Store();
    const { name, version } = iris.artifact;
    await store.put(name, version, iris.bytes);
    const before = await raw(store, name, version);
    const again = await store.put(name, version, iris.bytes);
    expect(again).toMatchObject({ status: 'already-published', detectedBy: 'precondition-failed', sha256: iris.sha256 });
    const after = await raw(store, name, version);
    expect([after.etag, after.lastModified?.getTime()]).toEqual([before.etag, before.lastModified?.getTime()]);
  });

  it('refuses different bytes under an existing version, naming both digests, and leaves the object alone', async () => {
    const store = await s3Store();
    const { name, version } = iris.artifact;
    await store.put(name, version, iris.bytes);
    const before = await raw(store, name, version);
    const other = Buffer.from(iris.bytes.toString().replace('"cart"', '"cart" '));
    const err = await store.put(name, version, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(describeError(err)).toContain(`model "iris" version ${version} is already published with different content (sha256 ${iris.sha256})`);
    expect((err as ConflictError).attempted).toBe(sha256(other));
    const after = await raw(store, name, version);
    expect(after.bytes.equals(iris.bytes)).toBe(true);
    expect(after.etag).toBe(before.etag);
  });

  it('racing publishers (separate clients) leave one intact object: one wins, the rest are "already published"', async () => {
    const store = await s3Store();
    const { name, version } = iris.artifact;
    const stores = Array.from({ length: 8 }, () => new S3Store(store.uri, { client: rgw.client() }));
    const results = await Promise.all(stores.map((s) => s.put(name, version, iris.bytes)));
    expect(results.filter((r) => r.status === 'published')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already-published' && r.detectedBy === 'precondition-failed')).toHaveLength(7);
    expect((await store.get(name, version, iris.sha256)).equals(iris.bytes)).toBe(true);
  });

  it('racing publishers with different bytes: exactly one wins intact, every loser gets a clear conflict', async () => {
    const store = await s3Store();
    const { name, version } = iris.artifact;
    const variants = Array.from({ length: 6 }, (_, i) => Buffer.concat([iris.bytes, Buffer.from(' '.repeat(i + 1))]));
    const settled = await Promise.allSettled(variants.map((bytes) => new S3Store(store.uri, { client: rgw.client() }).put(name, version, bytes)));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(lost).toHaveLength(5);
    for (const l of lost) expect(l.reason).toBeInstanceOf(ConflictError);
    const stored = await raw(store, name, version);
    const winner = variants.find((v) => v.equals(stored.bytes));
    expect(winner).toBeDefined();
    expect(stored.metadata?.sha256).toBe(sha256(winner!));
  });

  it('a 20 MB artifact goes up as multipart and round-trips with its digest', async () => {
    const store = await s3Store('/big');
    const { name, version } = big.artifact;
    expect(big.bytes.length).toBeGreaterThanOrEqual(20 * MB);
    const progress: number[] = [];
    const put = await store.put(name, version, big.bytes, { onProgress: (p) => progress.push(p.loaded) });
    expect(put).toMatchObject({ status: 'published', multipart: true, sha256: big.sha256, size: big.bytes.length });
    expect(progress.at(-1)).toBe(big.bytes.length);
    const head = await store.head(name, version);
    expect(head?.etag).toMatch(/-3"$/); // 20 MB in 8 MiB parts: a three-part object
    expect(head?.sha256).toBe(big.sha256);
    expect(head?.size).toBe(big.bytes.length);
    const got = await store.get(name, version, big.sha256);
    expect(sha256(got)).toBe(big.sha256);
    expect(got.equals(big.bytes)).toBe(true);
    // again: found before uploading anything; other bytes under the version: refused
    expect(await store.put(name, version, big.bytes)).toMatchObject({ status: 'already-published', detectedBy: 'exists', multipart: true });
    const other = Buffer.concat([big.bytes, Buffer.from(' ')]);
    await expect(store.put(name, version, other)).rejects.toBeInstanceOf(ConflictError);
    expect((await raw(store, name, version)).etag).toBe(head?.etag);
  });

  it('multipart: sends If-None-Match: * with CompleteMultipartUpload and a SHA-256 per part (what AWS S3 enforces)', async () => {
    const traced = rgw.client();
    const sent: { method: string; query: string; ifNoneMatch?: string; checksum?: string }[] = [];
    // observe the real requests on their way out (no mock: they still go to the gateway)
    traced.middlewareStack.add(
      (next) => async (args) => {
        const r = args.request as { method: string; query: Record<string, unknown>; headers: Record<string, string> };
        sent.push({ method: r.method, query: Object.keys(r.query).sort().join('&'), ifNoneMatch: r.headers['if-none-match'], checksum: r.headers['x-amz-checksum-sha256'] });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'traceRequests' },
    );
    const store = new S3Store(`s3://${await rgw.bucket(traced)}`, { client: traced, multipartThreshold: 5 * MB, partSize: 5 * MB });
    const mid = paddedArtifact(iris.artifact, 11 * MB, 'mid');
    await store.put('mid', mid.artifact.version, mid.bytes);
    const complete = sent.filter((s) => s.method === 'POST' && s.query === 'uploadId');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.ifNoneMatch).toBe('*');
    const parts = sent.filter((s) => s.method === 'PUT' && s.query.includes('partNumber'));
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p.checksum).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(sent.filter((s) => s.method === 'HEAD')).toHaveLength(2); // the look before, and the check after
  });

  it('the multipart threshold and part size are options', async () => {
    const store = await s3Store('', { multipartThreshold: 6 * MB, partSize: 5 * MB });
    const mid = paddedArtifact(iris.artifact, 7 * MB, 'mid');
    const put = await store.put('mid', mid.artifact.version, mid.bytes);
    expect(put.multipart).toBe(true);
    expect((await store.head('mid', mid.artifact.version))?.etag).toMatch(/-2"$/);
    expect(sha256(await store.get('mid', mid.artifact.version, mid.sha256))).toBe(mid.sha256);
    const single = await (await s3Store()).put('mid', mid.artifact.version, mid.bytes); // default 8 MiB threshold
    expect(single.multipart).toBe(false);
  });

  it('tampering with a stored object makes every read fail with the model name and both digests', async () => {
    const store = await s3Store();
    const { name, version } = iris.artifact;
    await store.put(name, version, iris.bytes);
    // an overwrite that keeps the recorded digest (unconditional PUT, as someone with write access could do)
    const tampered = Buffer.from(iris.bytes.toString().replace(/"accuracy":[0-9.]+/, '"accuracy":1'));
    await client.send(new PutObjectCommand({ Bucket: store.bucket, Key: store.keyFor(name, version), Body: tampered, Metadata: { sha256: iris.sha256 } }));
    const err = await store.get(name, version, iris.sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    const e = err as IntegrityError;
    expect([e.model, e.version, e.expected, e.actual]).toEqual([name, version, iris.sha256, sha256(tampered)]);
    expect(describeError(e)).toMatch(new RegExp(`model "iris" version ${version}: sha256 mismatch: expected ${iris.sha256} \\(pinned\\), but the stored object has ${sha256(tampered)}`));
    // the same bytes with a rewritten recorded digest: refused too
    await client.send(new PutObjectCommand({ Bucket: store.bucket, Key: store.keyFor(name, version), Body: iris.bytes, Metadata: { sha256: 'f'.repeat(64) } }));
    expect(await rejected(store.get(name, version, iris.sha256))).toMatch(/the digest recorded in the object metadata is f{64}/);
  });

  it('a missing version, bucket or wrong credentials give one clear sentence', async () => {
    const store = await s3Store();
    await expect(store.get('iris', 'ffffffffffff', iris.sha256)).rejects.toBeInstanceOf(NotFoundError);
    const nowhere = new S3Store('s3://no-such-bucket-here', { client });
    const err = await nowhere.put('iris', iris.artifact.version, iris.bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(describeError(err)).toMatch(/^s3:\/\/no-such-bucket-here\/models\/iris\/[0-9a-f]{12}\/model\.json: cannot write \(the bucket does not exist, HTTP 404\)$/);
    const { createS3Client } = await import('../../registry/store/s3.ts');
    const stranger = createS3Client({ endpoint: rgw.endpoint.endpoint, credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'nothing' } });
    expect(await rejected(new S3Store(store.uri, { client: stranger }).put('iris', iris.artifact.version, iris.bytes))).toMatch(/cannot write \(access denied \(InvalidAccessKeyId\), HTTP 403\)/);
    stranger.destroy();
  });

  it('lists versions of one model only, under its prefix', async () => {
    const store = await s3Store('/p');
    const wine = (await trainedExamples()).find((e) => e.artifact.name === 'wine')!;
    const iris2 = paddedArtifact(iris.artifact, 1000);
    await store.put('iris', iris.artifact.version, iris.bytes);
    await store.put('iris', iris2.artifact.version, iris2.bytes);
    await store.put('wine', wine.artifact.version, wine.bytes);
    await client.send(new PutObjectCommand({ Bucket: store.bucket, Key: 'p/models/iris/notes.txt', Body: 'x' }));
    expect(await store.listVersions('iris')).toEqual([iris.artifact.version, iris2.artifact.version].sort());
    expect(await store.listVersions('wine')).toEqual([wine.artifact.version]);
    expect(await store.listVersions('diabetes')).toEqual([]);
    const keys = (await client.send(new ListObjectsV2Command({ Bucket: store.bucket }))).Contents!.map((o) => o.Key);
    expect(keys.every((k) => k!.startsWith('p/models/'))).toBe(true);
  });
});
