import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lock } from '../../registry/lock.ts';
import { LockError, emptyLock, entryFor, formatLock, parseLock, pinEntry, readLock, unpinEntry, writeLock } from '../../registry/lock.ts';
import type { SerializedArtifact } from '../../training/artifact.ts';
import { tempDir } from '../helpers/temp.ts';
import { TEST_COMMIT, trainedExamples } from '../fixtures/artifacts.ts';
import { describeError } from '../../training/errors.ts';
import { rejected, thrown } from '../helpers/errors.ts';

const root = tempDir('mlship-lock-');
let examples: SerializedArtifact[];
let lock: Lock;

beforeAll(async () => {
  examples = await trainedExamples();
  lock = emptyLock();
  for (const { artifact, sha256 } of examples) {
    lock = pinEntry(lock, artifact.name, entryFor(artifact, sha256, { commit: TEST_COMMIT, spec: `models/${artifact.name}/model.yaml` }));
  }
});

/** A valid lock's text with one model's field replaced by `value` (undefined removes it). */
function broken(model: string, field: string, value: unknown): string {
  const raw = JSON.parse(formatLock(lock)) as { models: Record<string, Record<string, unknown>> };
  if (value === undefined) delete raw.models[model]![field];
  else raw.models[model]![field] = value;
  return JSON.stringify(raw, null, 2);
}

describe('models.lock.json', () => {
  it('round-trips byte-identically through write, read and write', async () => {
    const file = path.join(root, 'a', 'models.lock.json');
    await writeLock(file, lock);
    const first = readFileSync(file);
    const read = await readLock(file);
    expect(read).toEqual(lock);
    const again = path.join(root, 'b.lock.json');
    await writeLock(again, read);
    expect(readFileSync(again).equals(first)).toBe(true);
    expect(formatLock(parseLock(first.toString(), file))).toBe(first.toString());
  });

  it('is formatted stably: sorted keys, two spaces, a trailing newline, whatever order it was built in', () => {
    const reversed = emptyLock();
    let other = reversed;
    for (const name of Object.keys(lock.models).reverse()) {
      const e = lock.models[name]!;
      // build each entry with its keys in reverse order too
      other = pinEntry(other, name, Object.fromEntries(Object.entries(e).reverse()) as typeof e);
    }
    const text = formatLock(other);
    expect(text).toBe(formatLock(lock));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "lockfileVersion": 2,');
    const names = [...text.matchAll(/^ {4}"([a-z]+)": \{$/gm)].map((m) => m[1]);
    expect(names).toEqual(['diabetes', 'iris', 'wine']);
  });

  it('changing one model changes only the lines of that model', () => {
    const wine = examples.find((e) => e.artifact.name === 'wine')!;
    const changed = pinEntry(lock, 'wine', { ...lock.models.wine!, version: 'abcdefabcdef' });
    const before = formatLock(lock).split('\n');
    const after = formatLock(changed).split('\n');
    expect(after.length).toBe(before.length);
    const differing = before.map((line, i) => (line === after[i] ? -1 : i)).filter((i) => i >= 0);
    expect(differing.length).toBe(1);
    for (const i of differing) expect(after[i]).toMatch(/abcdefabcdef/);
    expect(lock.models.wine!.version).toBe(wine.artifact.version); // pinEntry does not change its input
  });

  it('entryFor pins version, sha256, task, headline metrics, the input digests and the source, and names no place', () => {
    const iris = examples.find((e) => e.artifact.name === 'iris')!;
    const entry = lock.models.iris!;
    expect(entry).toMatchObject({ version: iris.artifact.version, sha256: iris.sha256, task: 'classification', source: { commit: TEST_COMMIT, spec: 'models/iris/model.yaml' } });
    expect(entry.inputs).toEqual({ spec: iris.artifact.lineage.spec.sha256, data: iris.artifact.lineage.data.sha256, holdout: null, trainer: 'mlship-cart/2' });
    expect(formatLock(lock)).not.toMatch(/s3:|file:|\/tmp|\/work/);
    expect(entry.metrics.accuracy).toBe((iris.artifact.metrics as { accuracy: number }).accuracy);
    expect(Object.keys(entry.metrics)).not.toContain('confusionMatrix');
    expect(lock.models.diabetes!.metrics).toHaveProperty('rmse');
  });

  it.each([
    ['iris', 'sha256', 'abc123', /model "iris", field "sha256": must be 64 lowercase hex digits/],
    ['wine', 'version', 'XYZ', /model "wine", field "version": must be 12 lowercase hex digits/],
    ['diabetes', 'uri', 's3://team-models/models/diabetes/x/model.json', /model "diabetes".*uri/],
    ['iris', 'task', 'clustering', /model "iris", field "task"/],
    ['wine', 'inputs', undefined, /model "wine", field "inputs": is required/],
    ['wine', 'inputs', { spec: 'x', data: 'y', holdout: null, trainer: 'mlship-cart/1' }, /model "wine", field "inputs\.spec": must be 64 lowercase hex digits/],
    ['iris', 'extra', 1, /model "iris".*extra/],
  ])('a hand-broken lock fails naming the model and the field (%s.%s)', (model, field, value, message) => {
    const file = path.join(root, `broken-${model}-${field}.json`);
    writeFileSync(file, broken(model, field, value));
    return readLock(file).then(
      () => expect.unreachable('the broken lock was accepted'),
      (err: unknown) => {
        expect(err).toBeInstanceOf(LockError);
        expect(describeError(err)).toMatch(message);
        expect(describeError(err)).toContain(file);
      },
    );
  });

  it('names a nested field and refuses bad model names, versions and JSON', () => {
    const raw = JSON.parse(formatLock(lock));
    raw.models.iris.source.spec = 7;
    expect(thrown(() => parseLock(JSON.stringify(raw), 'models.lock.json'))).toMatch(/model "iris", field "source\.spec"/);
    const badName = JSON.parse(formatLock(lock));
    badName.models['Not A Name'] = badName.models.iris;
    expect(thrown(() => parseLock(JSON.stringify(badName), 'models.lock.json'))).toMatch(/model "Not A Name": is not a valid model name/);
    expect(thrown(() => parseLock('{"lockfileVersion": 3, "models": {}}', 'models.lock.json'))).toMatch(/field "lockfileVersion": must be 2 \(or 1, which is upgraded\)/);
    expect(thrown(() => parseLock('{"lockfileVersion": 1, "models": {', 'models.lock.json'))).toMatch(/models\.lock\.json: not valid JSON/);
  });

  it('keeps the commit that first pinned a version while the version stays, fills an unknown one, and unpins', () => {
    const entry = lock.models.iris!;
    const later = 'f'.repeat(40);
    expect(pinEntry(lock, 'iris', { ...entry, source: { ...entry.source, commit: later } }).models.iris!.source.commit).toBe(TEST_COMMIT);
    expect(pinEntry(lock, 'iris', { ...entry, version: 'abcdefabcdef', source: { ...entry.source, commit: later } }).models.iris!.source.commit).toBe(later);
    const unknown = pinEntry(lock, 'iris', { ...entry, source: { ...entry.source, commit: null } });
    expect(unknown.models.iris!.source.commit).toBe(TEST_COMMIT);
    const fresh = pinEntry(emptyLock(), 'iris', { ...entry, source: { ...entry.source, commit: null } });
    expect(pinEntry(fresh, 'iris', entry).models.iris!.source.commit).toBe(TEST_COMMIT);
    expect(Object.keys(unpinEntry(lock, 'iris').models).sort()).toEqual(['diabetes', 'wine']);
  });

  it('reads a v1 lock (its URIs ignored, inputs unknown) and writes it back as v2', () => {
    const v1 = {
      lockfileVersion: 1,
      models: {
        iris: { version: 'abcdefabcdef', uri: 'file:///home/someone/.mlship/store/models/iris/abcdefabcdef/model.json', sha256: 'a'.repeat(64), task: 'classification', metrics: { accuracy: 0.9 }, source: { commit: TEST_COMMIT, spec: 'models/iris/model.yaml' } },
      },
    };
    const read = parseLock(JSON.stringify(v1), 'models.lock.json');
    expect(read).toEqual({ lockfileVersion: 2, models: { iris: { version: 'abcdefabcdef', sha256: 'a'.repeat(64), task: 'classification', metrics: { accuracy: 0.9 }, inputs: null, source: { commit: TEST_COMMIT, spec: 'models/iris/model.yaml' } } } });
    const text = formatLock(read);
    expect(text).toContain('"lockfileVersion": 2');
    expect(text).not.toContain('file://');
    expect(parseLock(text, 'models.lock.json')).toEqual(read);
    expect(thrown(() => parseLock(JSON.stringify({ ...v1, models: { iris: { ...v1.models.iris, uri: undefined } } }), 'old.lock.json'))).toMatch(/old\.lock\.json, model "iris", field "uri": is required/);
  });

  it('a missing lock is an error unless an empty one is allowed', async () => {
    const missing = path.join(root, 'nope', 'models.lock.json');
    expect(await rejected(readLock(missing))).toMatch(/cannot read the lock \(ENOENT\)/);
    expect(await readLock(missing, { allowMissing: true })).toEqual(emptyLock());
  });

  it('writes atomically: the old file stays until the new one is complete, and no temp files remain', async () => {
    const dir = path.join(root, 'atomic');
    const file = path.join(dir, 'models.lock.json');
    await writeLock(file, emptyLock());
    const inode = statSync(file).ino;
    await writeLock(file, lock);
    expect(statSync(file).ino).not.toBe(inode); // replaced by rename, not rewritten in place
    expect(readFileSync(file, 'utf8')).toBe(formatLock(lock));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual(['models.lock.json']);
  });
});
