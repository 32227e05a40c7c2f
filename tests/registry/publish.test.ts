/**
 * Publishing, verifying and champion lookup end to end: the library calls, and the `mlship publish`
 * / `mlship verify` commands, on the file store and on S3 (Ceph RGW).
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { loadChampion, loadChampions } from '../../registry/champion.ts';
import { formatLock, readLock } from '../../registry/lock.ts';
import { publishArtifacts } from '../../registry/publish.ts';
import { FileStore, IntegrityError, openStore } from '../../registry/store/index.ts';
import type { S3Store } from '../../registry/store/index.ts';
import { verifyLock } from '../../registry/verify.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { sha256 } from '../../training/artifact.ts';
import { loadSpec } from '../../training/spec.ts';
import { trainModel } from '../../training/train-model.ts';
import { REPO, tempDir } from '../helpers/temp.ts';
import { TEST_COMMIT, trainedExamples } from '../fixtures/artifacts.ts';
import { requireCeph, useRgw } from '../fixtures/s3.ts';

const root = tempDir('mlship-publish-');
let examples: SerializedArtifact[];
const files: string[] = [];
let n = 0;

beforeAll(async () => {
  examples = await trainedExamples();
  for (const e of examples) {
    const file = path.join(root, 'artifacts', e.artifact.name, 'model.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, e.bytes);
    files.push(file);
  }
});

/** The examples as trained at `commit` (by default the commit that first pins them). */
const inputs = (commit: string | null = TEST_COMMIT) => examples.map((e) => ({ bytes: e.bytes, source: `${e.artifact.name}/model.json`, commit }));
const byName = (name: string) => examples.find((e) => e.artifact.name === name)!;

async function mlship(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { cwd, env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

function workDir(): string {
  const dir = path.join(root, `work-${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('publish and verify on the file store', () => {
  it('reads a v1 lock and writes it back as v2 on the next publish, its URIs gone', async () => {
    const dir = workDir();
    const store = openStore('file://s', { cwd: dir });
    const lockFile = path.join(dir, 'models.lock.json');
    const iris = byName('iris');
    const wine = byName('wine');
    const v1 = {
      lockfileVersion: 1,
      models: {
        iris: { version: iris.artifact.version, uri: `file:///elsewhere/models/iris/${iris.artifact.version}/model.json`, sha256: iris.sha256, task: 'classification', metrics: {}, source: { commit: null, spec: 'models/iris/model.yaml' } },
        wine: { version: '0123456789ab', uri: 's3://old/models/wine/0123456789ab/model.json', sha256: 'b'.repeat(64), task: 'classification', metrics: {}, source: { commit: null, spec: 'models/wine/model.yaml' } },
      },
    };
    writeFileSync(lockFile, `${JSON.stringify(v1, null, 2)}\n`);
    const report = await publishArtifacts([{ bytes: iris.bytes, source: 'iris', commit: TEST_COMMIT }], { store, lockFile });
    expect(report.lockChanged).toBe(true);
    const text = readFileSync(lockFile, 'utf8');
    expect(text).toContain('"lockfileVersion": 2');
    expect(text).not.toMatch(/"uri"|file:|s3:/);
    const lock = await readLock(lockFile);
    expect(lock.models.iris).toMatchObject({ version: iris.artifact.version, inputs: { data: iris.artifact.lineage.data.sha256 }, source: { commit: TEST_COMMIT } });
    expect(lock.models.wine).toMatchObject({ version: '0123456789ab', inputs: null }); // carried over: its inputs were never recorded
    void wine;
  });

  it('publishArtifacts publishes and pins; the second time changes nothing', async () => {
    const dir = workDir();
    const store = openStore('file://.mlship/store', { cwd: dir });
    const lockFile = path.join(dir, 'models.lock.json');
    const first = await publishArtifacts(inputs(), { store, lockFile });
    expect(first.outcomes.map((o) => ('status' in o ? o.status : o.error))).toEqual(['published', 'published', 'published']);
    expect(first.lockChanged).toBe(true);
    const lockText = readFileSync(lockFile, 'utf8');
    const lock = await readLock(lockFile);
    for (const e of examples) {
      expect(lock.models[e.artifact.name]).toMatchObject({
        version: e.artifact.version,
        sha256: e.sha256,
        source: { commit: TEST_COMMIT, spec: `models/${e.artifact.name}/model.yaml` },
      });
    }
    expect(lockText).not.toMatch(/file:|s3:|\/tmp\//); // the lock names no place
    const lockStat = statSync(lockFile);
    // Run again on the lock's own commit (a later one, same inputs): the same bytes, nothing changes.
    const second = await publishArtifacts(inputs('f'.repeat(40)), { store, lockFile });
    expect(second.outcomes.map((o) => ('status' in o ? o.status : o.error))).toEqual(['already-published', 'already-published', 'already-published']);
    expect(second.lockChanged).toBe(false);
    expect(readFileSync(lockFile, 'utf8')).toBe(lockText);
    expect(statSync(lockFile).mtimeMs).toBe(lockStat.mtimeMs); // not even rewritten
  });

  it('mlship publish and verify: default store, per-model lines, exit codes', async () => {
    const dir = workDir();
    const published = await mlship(['publish', ...files], dir);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    for (const e of examples) {
      expect(published.stdout).toContain(`published ${e.artifact.name} ${e.artifact.version} → file://${dir}/.mlship/store/models/${e.artifact.name}/${e.artifact.version}/model.json`);
    }
    expect(published.stdout).toContain('models.lock.json: updated');
    const again = await mlship(['publish', ...files, '--json'], dir);
    expect(again.code).toBe(0);
    const lines = again.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.name, l.status])).toEqual(examples.map((e) => [e.artifact.name, 'already-published']));
    const verified = await mlship(['verify'], dir);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('models.lock.json: 3 models verified against file://');

    // The same lock and store in another checkout (file URIs name the first folder) still verify.
    const moved = workDir();
    cpSync(path.join(dir, '.mlship'), path.join(moved, '.mlship'), { recursive: true });
    cpSync(path.join(dir, 'models.lock.json'), path.join(moved, 'models.lock.json'));
    const elsewhere = await mlship(['verify'], moved);
    expect(elsewhere.stderr).toBe('');
    expect(elsewhere.stdout).toContain(`models.lock.json: 3 models verified against file://${moved}/.mlship/store`);
  });

  it('MLSHIP_STORE picks the store; --lock picks the lock', async () => {
    const dir = workDir();
    const store = path.join(dir, 'elsewhere');
    const r = await mlship(['publish', files[0]!, '--lock', 'pins/lock.json'], dir, { MLSHIP_STORE: `file://${store}` });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'pins/lock.json'))).toBe(true);
    expect(existsSync(path.join(store, 'models'))).toBe(true);
    expect(existsSync(path.join(dir, '.mlship'))).toBe(false);
  });

  it('refuses an invalid artifact (exit 2) and still publishes the valid ones', async () => {
    const dir = workDir();
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, byName('iris').bytes.toString().replace(/"accuracy":[0-9.]+/, '"accuracy":1')); // altered: version no longer matches
    const r = await mlship(['publish', bad, files[1]!, path.join(dir, 'missing.json')], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`✗ ${bad}, field "version": version ${byName('iris').artifact.version} does not match its content`);
    expect(r.stderr).toContain('missing.json: cannot read the artifact (ENOENT)');
    const lock = await readLock(path.join(dir, 'models.lock.json'));
    expect(Object.keys(lock.models)).toEqual([examples[1]!.artifact.name]);
    expect((await mlship(['publish'], dir)).code).toBe(2);
  });

  it('bytes that are not the canonical form of their artifact are refused (exit 2) and nothing is stored', async () => {
    const dir = workDir();
    const { name, version } = examples[0]!.artifact;
    // each parses to the same artifact and version as the canonical file: one version, other bytes
    const variants = {
      'trailing space': `${examples[0]!.bytes.toString()} `,
      'pretty-printed': `${JSON.stringify(JSON.parse(examples[0]!.bytes.toString()), null, 2)}\n`,
    };
    for (const [what, text] of Object.entries(variants)) {
      const twin = path.join(dir, `${what}.json`);
      writeFileSync(twin, text);
      const r = await mlship(['publish', twin], dir);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toBe(`✗ ${twin}: is not in canonical form (the exact bytes training writes: sorted keys, no whitespace, no unknown fields, one trailing newline); publish the file training wrote\n`);
    }
    // an unknown field is outside the version's content: refused as altered
    const extra = path.join(dir, 'extra.json');
    writeFileSync(extra, examples[0]!.bytes.toString().replace('"distribution":', '"note":"x","distribution":'));
    expect(await mlship(['publish', extra], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/does not match its content \(which gives [0-9a-f]{12}\): the file was altered/) });
    expect(await new FileStore(path.join(dir, '.mlship/store')).exists(name, version)).toBe(false);
    expect(existsSync(path.join(dir, 'models.lock.json'))).toBe(false);
  });

  it('a version the store holds with other bytes is a conflict (exit 1); the lock keeps the original', async () => {
    const dir = workDir();
    await mlship(['publish', files[0]!], dir);
    const lockBefore = readFileSync(path.join(dir, 'models.lock.json'), 'utf8');
    const { name, version } = examples[0]!.artifact;
    // another writer's object under our version (the store itself does not parse what it holds)
    const other = path.join(root, `other-${n}`, '.mlship/store');
    await new FileStore(other).put(name, version, Buffer.from(`${examples[0]!.bytes.toString()} `));
    const r = await mlship(['publish', files[0]!, '--store', `file://${other}`], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`model "${name}" version ${version} is already published with different content`);
    expect(readFileSync(path.join(dir, 'models.lock.json'), 'utf8')).toBe(lockBefore);
  });

  it('verify fails (exit 1) on a tampered, a missing, a misplaced and a mislabelled pin, one report line per model', async () => {
    const dir = workDir();
    await mlship(['publish', ...files], dir);
    const store = new FileStore(path.join(dir, '.mlship/store'));
    const lockFile = path.join(dir, 'models.lock.json');
    const lock = await readLock(lockFile);
    const [diabetes, iris, wine] = ['diabetes', 'iris', 'wine'].map(byName) as [SerializedArtifact, SerializedArtifact, SerializedArtifact];
    // iris: tampered bytes
    const irisFile = store.fileFor('iris', iris.artifact.version);
    chmodSync(irisFile, 0o644);
    const tampered = Buffer.from(iris.bytes.toString().replace('"cart"', '"cart" '));
    writeFileSync(irisFile, tampered);
    // wine: pinned at a version that is not in the store
    lock.models.wine = { ...lock.models.wine!, version: 'eeeeeeeeeeee' };
    // diabetes: pinned as the other task
    lock.models.diabetes = { ...lock.models.diabetes!, task: 'classification' };
    writeFileSync(lockFile, formatLock(lock));
    const r = await mlship(['verify', '--json'], dir);
    expect(r.code).toBe(1);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(reports.map((m) => [m.name, m.ok])).toEqual([['diabetes', false], ['iris', false], ['wine', false]]);
    expect(reports[1].sha256).toEqual({ expected: iris.sha256, actual: sha256(tampered) });
    const human = await mlship(['verify'], dir);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`✗ iris ${iris.artifact.version}\n    ${store.uriFor('iris', iris.artifact.version)}: model "iris" version ${iris.artifact.version}: sha256 mismatch: expected ${iris.sha256} (pinned), but the stored object has ${sha256(tampered)}`);
    expect(human.stdout).toContain('model "wine" version eeeeeeeeeeee is missing from the store');
    expect(human.stdout).toContain(`${store.uriFor('diabetes', diabetes.artifact.version)}, model "diabetes": the artifact is a regression model, but the lock says classification`);
    expect(human.stdout).toContain('3 of 3 models failed verification');
    void wine;
  });

  it('verify checks that the pinned bytes are an artifact of that name and version', async () => {
    const dir = workDir();
    const store = new FileStore(path.join(dir, 's'));
    const wine = byName('wine');
    // a valid wine artifact stored (correct digest) under the name iris: pinned sha matches, contents do not
    await store.put('iris', wine.artifact.version, wine.bytes);
    const junk = Buffer.from('{"not":"an artifact"}\n');
    await store.put('wine', '000000000000', junk);
    const lock = {
      lockfileVersion: 2 as const,
      models: {
        iris: { version: wine.artifact.version, sha256: wine.sha256, task: 'classification' as const, metrics: {}, inputs: null, source: { commit: null, spec: 'models/iris/model.yaml' } },
        wine: { version: '000000000000', sha256: sha256(junk), task: 'classification' as const, metrics: {}, inputs: null, source: { commit: null, spec: 'models/wine/model.yaml' } },
      },
    };
    const result = await verifyLock(lock, store);
    expect(result.ok).toBe(false);
    expect(result.models[0]!.problems).toEqual([`${store.uriFor('iris', wine.artifact.version)}, model "iris": the artifact is model "wine", but the lock entry is "iris"`]);
    expect(result.models[1]!.problems[0]).toMatch(/model "wine": not a valid artifact: /);
    expect((await verifyLock({ lockfileVersion: 2, models: {} }, store)).ok).toBe(true);
  });

  it('an invalid or missing lock is bad input for verify (exit 2)', async () => {
    const dir = workDir();
    expect((await mlship(['verify'], dir)).stderr).toMatch(/models\.lock\.json: cannot read the lock \(ENOENT\)/);
    writeFileSync(path.join(dir, 'models.lock.json'), '{"lockfileVersion":2,"models":{"iris":{"version":"x"}}}');
    const r = await mlship(['verify'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model "iris", field "version"/);
  });
});

describe('publish, verify and champion lookup on S3 (Ceph RGW)', () => {
  if (!requireCeph()) return;
  const rgw = useRgw();

  const cliEnv = () => ({
    MLSHIP_S3_ENDPOINT: rgw.endpoint.endpoint,
    AWS_REGION: rgw.endpoint.region,
    AWS_ACCESS_KEY_ID: rgw.endpoint.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rgw.endpoint.secretAccessKey,
  });

  it('publishing the example models twice changes nothing the second time', async () => {
    const client = rgw.client();
    const store = openStore(`s3://${await rgw.bucket(client)}/team`, { s3Client: client }) as S3Store;
    const lockFile = path.join(workDir(), 'models.lock.json');
    const first = await publishArtifacts(inputs(), { store, lockFile });
    expect(first.outcomes.map((o) => ('status' in o ? o.status : o.error))).toEqual(['published', 'published', 'published']);
    const objects = async () =>
      Promise.all(examples.map(async (e) => {
        const h = await client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: store.keyFor(e.artifact.name, e.artifact.version) }));
        return [h.ETag, h.LastModified?.getTime(), h.Metadata?.sha256, h.Metadata?.commit];
      }));
    const before = await objects();
    expect(before.map((o) => o[2])).toEqual(examples.map((e) => e.sha256));
    expect(before.map((o) => o[3])).toEqual(examples.map(() => TEST_COMMIT)); // provenance in the object's metadata
    const lockText = readFileSync(lockFile, 'utf8');
    expect(lockText).not.toContain(store.bucket); // the lock names no place
    const second = await publishArtifacts(inputs(), { store, lockFile });
    expect(second.outcomes.map((o) => ('status' in o ? [o.status, o.multipart] : o.error))).toEqual(Array(3).fill(['already-published', false]));
    expect(second.lockChanged).toBe(false);
    expect(readFileSync(lockFile, 'utf8')).toBe(lockText);
    expect(await objects()).toEqual(before);
    for (const e of examples) expect(await store.listVersions(e.artifact.name)).toEqual([e.artifact.version]);
  });

  it('the mlship command line publishes and verifies against S3 in a child process, then catches tampering', async () => {
    const client = rgw.client();
    const bucket = await rgw.bucket(client);
    const dir = workDir();
    const exec = (args: string[]) =>
      promisify(execFile)(process.execPath, [path.join(REPO, 'cli/main.ts'), ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...cliEnv() } }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const published = await exec(['publish', ...files, '--store', `s3://${bucket}`]);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    const iris = byName('iris');
    expect(published.stdout).toContain(`published iris ${iris.artifact.version} → s3://${bucket}/models/iris/${iris.artifact.version}/model.json`);
    const again = await exec(['publish', ...files, '--store', `s3://${bucket}`]);
    expect(again.stdout).toContain(`already published iris ${iris.artifact.version}`);
    expect(again.stdout).toContain('models.lock.json: unchanged');
    const ok = await exec(['verify', '--store', `s3://${bucket}`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`models.lock.json: 3 models verified against s3://${bucket}`);

    const tampered = Buffer.from(iris.bytes.toString().replace(/"accuracy":[0-9.]+/, '"accuracy":1'));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `models/iris/${iris.artifact.version}/model.json`, Body: tampered, Metadata: { sha256: iris.sha256 } }));
    const bad = await exec(['verify', '--store', `s3://${bucket}`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`✗ iris ${iris.artifact.version}`);
    expect(bad.stdout).toContain(`model "iris" version ${iris.artifact.version}: sha256 mismatch: expected ${iris.sha256} (pinned), but the stored object has ${sha256(tampered)}`);
    expect(bad.stdout).toMatch(/✓ wine [0-9a-f]{12}/);
    expect(bad.stdout).toContain('1 of 3 models failed verification');

    // every reader fails the same way: the store, the champion lookup
    const store = openStore(`s3://${bucket}`, { s3Client: client });
    const lock = await readLock(path.join(dir, 'models.lock.json'));
    await expect(store.get('iris', iris.artifact.version, iris.sha256)).rejects.toBeInstanceOf(IntegrityError);
    const err = await loadChampion(lock, 'iris', store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toContain(`model "iris" version ${iris.artifact.version}: sha256 mismatch: expected ${iris.sha256}`);
    expect((err as Error).message).toContain(sha256(tampered));
    expect((err as IntegrityError).place.file).toBe(store.uriFor('iris', iris.artifact.version));
  });

  it('the champion is loaded from the lock, verified, and gates the candidate on the same holdout', async () => {
    const client = rgw.client();
    const store = openStore(`s3://${await rgw.bucket(client)}`, { s3Client: client });
    const { lock } = await publishArtifacts(inputs(), { store });
    const champion = await loadChampion(lock, 'iris', store);
    expect(champion).toEqual(byName('iris').artifact);
    expect(await loadChampion(lock, 'nope', store)).toBeUndefined();
    const all = await loadChampions(lock, ['iris', 'wine', 'nope'], store);
    expect([...all.keys()]).toEqual(['iris', 'wine']);
    const candidate = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), { champion });
    expect(candidate.champion?.version).toBe(champion!.version);
    expect(candidate.champion?.metrics).toMatchObject({ accuracy: (champion!.metrics as { accuracy: number }).accuracy }); // same holdout: same rows, same model
    expect(candidate.passed).toBe(true);
  });
});
