/**
 * Serving image benchmark, one run against two local registries (Debian's docker-registry): a
 * "mirror" holding the Node 24 base (the repository's own node and its libraries, ~126 MB
 * uncompressed) and a "target" standing in for ECR, so a cold push really sends the base. Each
 * step is timed from the inputs tag's computation (git tree ids in a clone of this repository) to
 * the last tag, the serving bundle's esbuild run included when a build needs it (median of 3 rounds):
 *
 * 1. cold build and push (first lock, empty target repository);
 * 2. a model-only change (iris replaced by a version of 0.5 MiB);
 * 3. a new commit that changes only the README (same lock): found by its inputs tag;
 * 4. a revert to the first lock: found, only the commit tag added.
 *
 * `node bench/image.ts` runs it alone; `npm run bench -- --image` runs it after the others
 * (`--only image` alone).
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openBase } from '../actions/lib/image/base.ts';
import { buildServingImage } from '../actions/lib/image/build.ts';
import type { BuildResult, ServingBundleSource } from '../actions/lib/image/build.ts';
import { servingSourceInputs } from '../actions/lib/image/serving-sources.ts';
import { registryTarget } from '../actions/lib/image/target.ts';
import { basicAuth } from '../actions/lib/oci/auth.ts';
import { manifestSchema, parseJson } from '../actions/lib/oci/manifest.ts';
import { parseReference } from '../actions/lib/oci/reference.ts';
import { RegistryClient } from '../actions/lib/oci/registry.ts';
import { bundleServing } from '../actions/lib/serving-bundle.ts';
import { pushNodeBase } from '../tests/fixtures/node-base.ts';
import { REGISTRY_PASSWORD, REGISTRY_USER, registryToolsAvailable, run, startRegistry } from '../tests/fixtures/registry.ts';
import { storeFixture } from '../tests/actions/image/helpers.ts';
import { median } from './stats.ts';
import type { LockFixture } from '../tests/actions/image/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = 3;

export interface ImageBenchStep {
  step: string;
  status: BuildResult['status'];
  ms: number;
  bytesUploaded: number;
  blobsUploaded: number;
  layers: number;
  layersReused: number;
  /** The compressed size of the image's model layer, to compare a model-only change's upload with. */
  modelLayerBytes: number;
  digest: string;
}

export interface ImageBenchResult {
  baseBytes: number;
  steps: ImageBenchStep[];
}

const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd }).then((s) => s.trim());
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export async function benchImage(log: (line: string) => void): Promise<ImageBenchResult | null> {
  if (!registryToolsAvailable()) {
    log('image: skipped (needs docker-registry skopeo umoci apache2-utils)');
    return null;
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'mlship-bench-image-'));
  const mirror = await startRegistry();
  const target = await startRegistry();
  try {
    const client = (host: string) => new RegistryClient({ registry: host, fetch, auth: basicAuth(REGISTRY_USER, REGISTRY_PASSWORD), scheme: 'http' });
    const clients = new Map([mirror.host, target.host].map((h) => [h, client(h)]));
    const clientFor = (host: string) => clients.get(host)!;
    await pushNodeBase(mirror, 'library/node', '24');
    const fx = await storeFixture(path.join(work, 'fx'));
    const repo = path.join(work, 'clone');
    await run('git', ['clone', '--quiet', '--shared', ROOT, repo]);
    await symlink(path.join(ROOT, 'node_modules'), path.join(repo, 'node_modules'));
    const base = await openBase(parseReference(`${mirror.host}/library/node:24`), { platform: 'linux/amd64', clientFor });
    const baseBytes = base.manifest.layers.reduce((n, l) => n + l.size, 0);
    log(`image: base ${mb(baseBytes)} compressed in ${base.manifest.layers.length} layer(s); target ${target.host}`);

    // Each round pushes to a repository of its own, so its cold build is cold again; the wall
    // time reported is the median of the rounds, the byte counts are the same in every round.
    const rounds: ImageBenchStep[][] = [];
    const step = async (round: ImageBenchStep[], repository: string, name: string, lock: LockFixture) => {
      const commit = await git(repo, 'rev-parse', 'HEAD');
      const started = performance.now();
      const inputs = await servingSourceInputs(repo);
      if (!inputs) throw new Error(`${repo} has uncommitted changes to the serving sources`);
      // Built only when the image is: a found image runs no esbuild.
      const bundle: ServingBundleSource = {
        inputs,
        read: () => bundleServing({ outfile: path.join(work, `bundle-${rounds.length}-${round.length}`, 'serve.mjs') }),
      };
      const from = await openBase(parseReference(`${mirror.host}/library/node:24`), { platform: 'linux/amd64', clientFor });
      const r = await buildServingImage({ base: from, platform: 'linux/amd64', target: registryTarget(clientFor(target.host), repository), bundle, lock, store: fx.store, tags: [commit], source: 'https://github.com/example/models' });
      const ms = performance.now() - started;
      const manifest = parseJson(manifestSchema, (await clientFor(target.host).getManifest(repository, r.digest)).bytes, 'manifest');
      round.push({ step: name, status: r.status, ms, bytesUploaded: r.bytesUploaded, blobsUploaded: r.blobsUploaded, layers: r.layers, layersReused: r.layersReused, modelLayerBytes: manifest.layers.at(-1)!.size, digest: r.digest });
    };
    for (let i = 0; i < ROUNDS; i++) {
      const round: ImageBenchStep[] = [];
      const repository = `serving/bench-${i}`;
      await step(round, repository, 'cold build and push', fx.first);
      await git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'pin the new iris');
      await step(round, repository, 'model-only change', fx.modelChange);
      await writeFile(path.join(repo, 'README.md'), `\nA README-only change (${i}).\n`, { flag: 'a' });
      await git(repo, 'commit', '--quiet', '-am', 'README only');
      await step(round, repository, 'new commit, README only', fx.modelChange);
      await git(repo, 'commit', '--quiet', '--allow-empty', '-m', 'Revert "pin the new iris"');
      await step(round, repository, 'revert to the first lock', fx.first);
      rounds.push(round);
    }
    const steps = rounds[0]!.map((first, j) => {
      const same = rounds.every((r) => r[j]!.bytesUploaded === first.bytesUploaded && r[j]!.digest === first.digest && r[j]!.status === first.status);
      if (!same) throw new Error(`the rounds disagree on "${first.step}"`);
      return { ...first, ms: median(rounds.map((r) => r[j]!.ms)) };
    });
    for (const s of steps) {
      const sent = s.bytesUploaded >= 1024 * 1024 ? mb(s.bytesUploaded) : kb(s.bytesUploaded);
      log(`image: ${s.step.padEnd(28)} ${s.status.padEnd(5)} ${s.ms.toFixed(0).padStart(6)} ms  ${sent.padStart(10)} in ${s.blobsUploaded} blobs  ${s.layersReused}/${s.layers} layers reused  (model layer ${kb(s.modelLayerBytes)})`);
    }
    return { baseBytes, steps };
  } finally {
    await mirror.stop();
    await target.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await benchImage((line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
