/**
 * Shared pieces of the serving-image tests: a file store holding the trained examples, two locks
 * (the examples; the same with iris replaced by a larger version: a model-only change), and
 * builds against the test registry.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildServingImage } from '../../../actions/lib/image/build.ts';
import { bundleDigest, sortedFiles } from '../../../actions/lib/serving-bundle-files.ts';
import type { BuildResult, BuildServingImageOptions, ServingBundleSource } from '../../../actions/lib/image/build.ts';
import { openBase } from '../../../actions/lib/image/base.ts';
import { registryTarget } from '../../../actions/lib/image/target.ts';
import { parseReference } from '../../../actions/lib/oci/reference.ts';
import type { RegistryClient } from '../../../actions/lib/oci/registry.ts';
import { emptyLock, entryFor, formatLock, pinEntry, specPathFor } from '../../../registry/lock.ts';
import type { Lock } from '../../../registry/lock.ts';
import { FileStore } from '../../../registry/store/file.ts';
import type { SerializedArtifact } from '../../../training/artifact.ts';
import { TEST_COMMIT, paddedArtifact, trainedExamples } from '../../fixtures/artifacts.ts';

export interface LockFixture {
  lock: Lock;
  bytes: Buffer;
  file: string;
}

export interface StoreFixture {
  store: FileStore;
  storeDir: string;
  /** iris, wine and diabetes. */
  first: LockFixture;
  /** The same with iris replaced by another (larger) version. */
  modelChange: LockFixture;
  /** The new iris version. */
  iris2: SerializedArtifact;
}

async function writeLockFile(dir: string, name: string, lock: Lock): Promise<LockFixture> {
  const text = formatLock(lock);
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { lock, bytes: Buffer.from(text), file };
}

/** The examples published to a file store under `dir`, and the two locks beside it. */
export async function storeFixture(dir: string): Promise<StoreFixture> {
  await mkdir(dir, { recursive: true });
  const storeDir = path.join(dir, 'store');
  const store = new FileStore(storeDir);
  const examples = await trainedExamples();
  let lock = emptyLock();
  for (const e of examples) {
    await store.put(e.artifact.name, e.artifact.version, e.bytes);
    lock = pinEntry(lock, e.artifact.name, entryFor(e.artifact, e.sha256, { commit: TEST_COMMIT, spec: specPathFor(e.artifact.name) }));
  }
  const iris = examples.find((e) => e.artifact.name === 'iris')!;
  // Half a MiB of random categories: a model layer big enough to see in the bytes uploaded.
  const iris2 = paddedArtifact(iris.artifact, 512 * 1024);
  await store.put('iris', iris2.artifact.version, iris2.bytes);
  const changed = pinEntry(lock, 'iris', entryFor(iris2.artifact, iris2.sha256, { commit: TEST_COMMIT, spec: specPathFor('iris') }));
  return { store, storeDir, first: await writeLockFile(dir, 'first.lock.json', lock), modelChange: await writeLockFile(dir, 'model-change.lock.json', changed), iris2 };
}

/** The chunk of fakeBundle, where the real bundle keeps its chunks. */
export const FAKE_CHUNK = { path: 'serve-chunks/chunk-FAKE.mjs', text: 'export const serve = "serve";\n' };

/** A stand-in serving bundle (an entry and one chunk), identified by its digest (the tests that run the image use the real one). */
export function fakeBundle(text = 'console.log("serve");\n'): ServingBundleSource {
  const files = sortedFiles([
    { path: 'serve.mjs', bytes: Buffer.from(text) },
    { path: FAKE_CHUNK.path, bytes: Buffer.from(FAKE_CHUNK.text) },
  ]);
  const bundle = { entry: 'serve.mjs', files };
  return { inputs: { kind: 'bundle', sha256: bundleDigest(files) }, read: async () => bundle };
}

export interface RegistryBuild {
  client: RegistryClient;
  baseRef: string;
  repository: string;
  bundle: ServingBundleSource;
  lock: LockFixture;
  store: FileStore;
  tags?: string[];
  previous?: string;
  platform?: string;
}

export async function buildToRegistry(b: RegistryBuild, extra: Partial<BuildServingImageOptions> = {}): Promise<BuildResult> {
  const platform = b.platform ?? 'linux/amd64';
  const base = await openBase(parseReference(b.baseRef), { platform, clientFor: () => b.client });
  return buildServingImage({
    base,
    platform,
    target: registryTarget(b.client, b.repository),
    bundle: b.bundle,
    lock: { lock: b.lock.lock, bytes: b.lock.bytes },
    store: b.store,
    source: 'https://github.com/example/models',
    tags: b.tags ?? [],
    ...(b.previous ? { previous: b.previous } : {}),
    ...extra,
  });
}

export const commitId = (n: number) => n.toString(16).padStart(40, 'c');
