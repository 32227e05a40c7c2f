import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  DEFAULT_STORE_URI,
  FileStore,
  IntegrityError,
  NotFoundError,
  S3Store,
  StoreError,
  createS3Client,
  fileStoreRoot,
  openStore,
  parseS3Uri,
} from '../../registry/store/index.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { sha256 } from '../../training/artifact.ts';
import { tempDir } from '../helpers/temp.ts';
import { paddedArtifact, trainedExamples } from '../fixtures/artifacts.ts';
import { storeUriFrom } from '../../cli/store.ts';
import { describeError } from '../../training/errors.ts';
import { rejected, thrown } from '../helpers/errors.ts';

const root = tempDir('mlship-filestore-');
let iris: SerializedArtifact;
let n = 0;
const freshStore = () => new FileStore(path.join(root, `store-${n++}`));

beforeAll(async () => {
  iris = (await trainedExamples()).find((e) => e.artifact.name === 'iris')!;
});

describe('store URIs', () => {
  it('opens file stores: the relative default, file:///absolute, and a plain path', () => {
    const cwd = path.join(root, 'work dir');
    const def = openStore(DEFAULT_STORE_URI, { cwd });
    expect(def).toBeInstanceOf(FileStore);
    expect((def as FileStore).root).toBe(path.join(cwd, '.mlship/store'));
    expect(def.uri).toBe(pathToFileURL(path.join(cwd, '.mlship/store')).href);
    expect(def.uriFor('iris', '4f1c2a9e07b3')).toBe(`${pathToFileURL(cwd).href}/.mlship/store/models/iris/4f1c2a9e07b3/model.json`);
    expect(def.uriFor('iris', '4f1c2a9e07b3')).toMatch(/^file:\/\/\/.*work%20dir\/\.mlship\/store\/models\/iris\/4f1c2a9e07b3\/model\.json$/);
    expect(fileStoreRoot(pathToFileURL('/srv/models store').href, cwd)).toBe('/srv/models store');
    expect(fileStoreRoot('store', cwd)).toBe(path.join(cwd, 'store'));
    expect(fileStoreRoot('file://rel/store', cwd)).toBe(path.join(cwd, 'rel/store'));
  });

  it('opens S3 stores with the layout <prefix>/models/<name>/<version>/model.json', () => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const plain = openStore('s3://team-models', { s3Client: client });
    expect(plain).toBeInstanceOf(S3Store);
    expect(plain.uriFor('iris', '4f1c2a9e07b3')).toBe('s3://team-models/models/iris/4f1c2a9e07b3/model.json');
    const prefixed = openStore('s3://team-models/ml/prod/', { s3Client: client }) as S3Store;
    expect(prefixed.uri).toBe('s3://team-models/ml/prod');
    expect(prefixed.keyFor('iris', '4f1c2a9e07b3')).toBe('ml/prod/models/iris/4f1c2a9e07b3/model.json');
    expect(parseS3Uri('s3://b-1.x/p')).toEqual({ bucket: 'b-1.x', prefix: 'p' });
    client.destroy();
  });

  it('refuses unknown schemes, bad buckets and names that would escape the layout', () => {
    expect(() => openStore('gs://bucket')).toThrow(StoreError);
    expect(thrown(() => openStore('gs://bucket'))).toMatch(/unsupported store "gs:\/\/bucket"/);
    expect(thrown(() => parseS3Uri('s3://'))).toMatch(/not an s3:\/\/bucket/);
    expect(thrown(() => parseS3Uri('s3://Bad_Bucket'))).toMatch(/not a valid bucket name/);
    expect(thrown(() => parseS3Uri('s3://bucket/a/../b'))).toMatch(/"\." or "\.\."/);
    const store = freshStore();
    expect(thrown(() => store.uriFor('../etc', '4f1c2a9e07b3'))).toMatch(/not a valid model name/);
    expect(thrown(() => store.uriFor('iris', '../../x'))).toMatch(/not a valid model version/);
    expect(thrown(() => store.uriFor('a..b', '4f1c2a9e07b3'))).toMatch(/not a valid model name/);
  });

  it('refuses a relative file store without a base folder to resolve it', () => {
    expect(thrown(() => openStore('file://.mlship/store'))).toMatch(/is a relative folder, and no base folder was given/);
    expect(openStore('file://.mlship/store', { cwd: '/srv' }).uri).toBe('file:///srv/.mlship/store');
  });

  it('the command line picks the store: flag, else MLSHIP_STORE, else the embedded default', () => {
    expect(storeUriFrom('s3://a-b', { MLSHIP_STORE: 'file:///x' })).toBe('s3://a-b');
    expect(storeUriFrom(undefined, { MLSHIP_STORE: 'file:///x' })).toBe('file:///x');
    expect(storeUriFrom(undefined, {})).toBe('file://.mlship/store');
  });
});

describe('file store', () => {
  it('publishes a version once and reads it back verified', async () => {
    const store = freshStore();
    const { name, version } = iris.artifact;
    expect(await store.exists(name, version)).toBe(false);
    const put = await store.put(name, version, iris.bytes);
    expect(put).toEqual({ status: 'published', uri: store.uriFor(name, version), sha256: iris.sha256, size: iris.bytes.length, multipart: false });
    const file = store.fileFor(name, version);
    expect(readFileSync(file).equals(iris.bytes)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o444); // published objects are read-only
    expect((await store.get(name, version, iris.sha256)).equals(iris.bytes)).toBe(true);
    expect(await store.head(name, version)).toMatchObject({ uri: put.uri, size: iris.bytes.length });
    expect(await store.listVersions(name)).toEqual([version]);
    expect(readdirSync(path.dirname(file))).toEqual(['model.json']); // no temp file left
  });

  it('publishing the same bytes again is a no-op; other bytes under the version are refused', async () => {
    const store = freshStore();
    const { name, version } = iris.artifact;
    await store.put(name, version, iris.bytes);
    const file = store.fileFor(name, version);
    const before = statSync(file);
    const again = await store.put(name, version, iris.bytes);
    expect(again).toMatchObject({ status: 'already-published', detectedBy: 'exists', sha256: iris.sha256 });
    const other = Buffer.from(iris.bytes.toString().replace('"cart"', '"cart" '));
    const err = await store.put(name, version, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(describeError(err)).toContain(`model "iris" version ${version} is already published with different content (sha256 ${iris.sha256})`);
    expect(describeError(err)).toContain(sha256(other));
    const after = statSync(file);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    expect(readFileSync(file).equals(iris.bytes)).toBe(true);
  });

  it('of racing publishers of one version exactly one wins; the others see "already published"', async () => {
    const store = freshStore();
    const { name, version } = iris.artifact;
    // separate store instances, as separate processes would have
    const results = await Promise.all(Array.from({ length: 12 }, () => new FileStore(store.root).put(name, version, iris.bytes)));
    expect(results.filter((r) => r.status === 'published')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already-published')).toHaveLength(11);
    expect(readFileSync(store.fileFor(name, version)).equals(iris.bytes)).toBe(true);
    expect(readdirSync(path.dirname(store.fileFor(name, version)))).toEqual(['model.json']);
  });

  it('racing publishers with different bytes: one intact winner, every loser a conflict', async () => {
    const store = freshStore();
    const { name, version } = iris.artifact;
    const variants = Array.from({ length: 8 }, (_, i) => Buffer.concat([iris.bytes, Buffer.from(' '.repeat(i + 1))]));
    const settled = await Promise.allSettled(variants.map((bytes) => new FileStore(store.root).put(name, version, bytes)));
    const won = settled.filter((s) => s.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(lost).toHaveLength(7);
    for (const l of lost) expect(l.reason).toBeInstanceOf(ConflictError);
    const stored = readFileSync(store.fileFor(name, version));
    expect(variants.some((v) => v.equals(stored))).toBe(true);
    expect((won[0] as PromiseFulfilledResult<{ sha256: string }>).value.sha256).toBe(sha256(stored));
  });

  it('every read verifies the sha256 and names the model and both digests on a mismatch', async () => {
    const store = freshStore();
    const { name, version } = iris.artifact;
    await store.put(name, version, iris.bytes);
    const file = store.fileFor(name, version);
    chmodSync(file, 0o644);
    const tampered = Buffer.from(iris.bytes.toString().replace(/"accuracy":[0-9.]+/, '"accuracy":1'));
    writeFileSync(file, tampered);
    const err = await store.get(name, version, iris.sha256).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    const e = err as IntegrityError;
    expect([e.model, e.version, e.expected, e.actual]).toEqual([name, version, iris.sha256, sha256(tampered)]);
    expect(describeError(e)).toContain(`model "iris" version ${version}: sha256 mismatch: expected ${iris.sha256}`);
    expect(describeError(e)).toContain(sha256(tampered));
    expect(describeError(e)).toContain(store.uriFor(name, version));
    // and a publisher does not take the tampered object for its own
    await expect(store.put(name, version, iris.bytes)).rejects.toBeInstanceOf(ConflictError);
  });

  it('a missing version is NotFoundError; a malformed expected digest is refused', async () => {
    const store = freshStore();
    await expect(store.get('iris', '000000000000', iris.sha256)).rejects.toBeInstanceOf(NotFoundError);
    expect(await rejected(store.get('iris', '000000000000', iris.sha256))).toMatch(/model "iris" version 000000000000 is not in the store/);
    await store.put('iris', iris.artifact.version, iris.bytes);
    expect(await rejected(store.get('iris', iris.artifact.version, 'abc'))).toMatch(/not a sha256 digest/);
  });

  it('lists only complete versions (a crashed write leaves a folder without model.json)', async () => {
    const store = freshStore();
    const big = paddedArtifact(iris.artifact, 3 * 1024 * 1024);
    await store.put('iris', iris.artifact.version, iris.bytes);
    await store.put('iris', big.artifact.version, big.bytes);
    const leftover = path.join(store.root, 'models', 'iris', 'aaaaaaaaaaaa');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(path.join(leftover, '.model.json.0123456789ab.tmp'), 'partial');
    mkdirSync(path.join(store.root, 'models', 'iris', 'not-a-version'));
    expect(await store.listVersions('iris')).toEqual([iris.artifact.version, big.artifact.version].sort());
    expect(await store.exists('iris', 'aaaaaaaaaaaa')).toBe(false);
    expect(await store.listVersions('wine')).toEqual([]);
    expect(existsSync(store.fileFor('iris', big.artifact.version))).toBe(true);
  });

  it('reports write progress in chunks', async () => {
    const store = freshStore();
    const big = paddedArtifact(iris.artifact, 3 * 1024 * 1024);
    const seen: number[] = [];
    await store.put('iris', big.artifact.version, big.bytes, { onProgress: (p) => seen.push(p.loaded) });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe(big.bytes.length);
  });
});
