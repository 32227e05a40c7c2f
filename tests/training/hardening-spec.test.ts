/**
 * Issue 16 items 12, 14 and 16: a YAML alias bomb is a spec error naming the file (the other
 * models still train), a name with ".." is refused by the one name rule wherever it is checked,
 * and symbolic links out of a model folder or under `--out` are refused, as data links are.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { EXIT } from '../../cli/io.ts';
import { modelNameSchema, isModelName, MODEL_NAME, MODEL_NAME_PART } from '../../training/identifiers.ts';
import { loadSpec } from '../../training/spec.ts';
import { trainModels } from '../../training/train-models.ts';
import { REPO, modelDir, tempDir } from '../helpers/temp.ts';

const root = tempDir();
const iris = (dir: string, yaml = readFileSync(path.join(REPO, 'models/iris/model.yaml'), 'utf8')) =>
  modelDir(root, dir, { 'model.yaml': yaml, 'iris.csv': readFileSync(path.join(REPO, 'models/iris/iris.csv'), 'utf8') });

async function mlship(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { cwd: root, env: {}, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('a YAML alias bomb in model.yaml', () => {
  const bomb = ['x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');

  it('is a spec error naming the file, one line for that model, and the models after it still train', async () => {
    const bad = iris('bomb', `${readFileSync(path.join(REPO, 'models/iris/model.yaml'), 'utf8')}${bomb}\n`);
    const good = iris('after-bomb');
    const run1 = await trainModels([bad, good]);
    expect(run1.models[0]).toMatchObject({ status: 'error', error: { kind: 'SpecError', place: { file: path.join(bad, 'model.yaml') } } });
    expect(run1.models[0]!.status === 'error' && run1.models[0]!.error.message).toMatch(/^invalid YAML: Excessive alias count/);
    expect(run1.models[1]!.status).toBe('passed');

    const { code, stdout, stderr } = await mlship(['train', bad, good, '--out', path.join(root, 'out-bomb')]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toBe(`✗ bomb: ${path.join(bad, 'model.yaml')}: invalid YAML: Excessive alias count indicates a resource exhaustion attack\n`);
    expect(stdout).toMatch(/✓ after-bomb/);
  });
});

describe('model names with ".."', () => {
  it('are refused by the one pattern, so every check (schema, folder, embedded path patterns) agrees', () => {
    for (const name of ['a..b', '..', 'a..', 'x...y']) {
      expect(MODEL_NAME.test(name)).toBe(false);
      expect(isModelName(name)).toBe(false);
      expect(modelNameSchema.safeParse(name).success).toBe(false);
      expect(new RegExp(`^artifacts/${MODEL_NAME_PART}/model\\.json$`).test(`artifacts/${name}/model.json`)).toBe(false);
    }
    for (const name of ['a.b', 'iris', 'a.b.c', 'v1.2_x-y', 'a.']) {
      expect(MODEL_NAME.test(name)).toBe(true);
      expect(new RegExp(`^artifacts/${MODEL_NAME_PART}/model\\.json$`).test(`artifacts/${name}/model.json`)).toBe(true);
    }
    expect(MODEL_NAME.test('a'.repeat(63))).toBe(true);
    expect(MODEL_NAME.test('a'.repeat(64))).toBe(false);
  });

  it('a folder "a..b" is refused at the first step, train, saying why', async () => {
    const dir = iris('a..b');
    await expect(loadSpec(dir)).rejects.toThrow(/model folder name "a\.\.b" is not a valid model name \(.*no "\.\."\)/);
    const { code, stderr } = await mlship(['train', dir, '--out', path.join(root, 'out-dots')]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/✗ a\.\.b: .*no "\.\."/);
    expect(existsSync(path.join(root, 'out-dots', 'a..b'))).toBe(false);
  });
});

describe('symbolic links', () => {
  it('a model.yaml linked to a file outside its folder is refused (one inside is fine)', async () => {
    const outside = path.join(root, 'elsewhere.yaml');
    writeFileSync(outside, readFileSync(path.join(REPO, 'models/iris/model.yaml')));
    const dir = modelDir(root, 'linked-spec', { 'iris.csv': readFileSync(path.join(REPO, 'models/iris/iris.csv'), 'utf8') });
    symlinkSync(outside, path.join(dir, 'model.yaml'));
    await expect(loadSpec(dir)).rejects.toThrow(/the model spec is a link to a file outside the model folder/);
    const run1 = await trainModels([dir]);
    expect(run1.models[0]).toMatchObject({ status: 'error', error: { kind: 'SpecError', place: { file: path.join(dir, 'model.yaml') } } });

    const inside = modelDir(root, 'linked-inside', { 'iris.csv': readFileSync(path.join(REPO, 'models/iris/iris.csv'), 'utf8'), 'real.yaml': readFileSync(outside, 'utf8') });
    symlinkSync(path.join(inside, 'real.yaml'), path.join(inside, 'model.yaml'));
    expect((await loadSpec(inside)).name).toBe('linked-inside');
  });

  it('a directory symlink under --out is not written through', async () => {
    const dir = iris('out-link');
    const out = path.join(root, 'out-links');
    const target = path.join(root, 'not-the-out-folder');
    mkdirSync(out, { recursive: true });
    mkdirSync(target, { recursive: true });
    symlinkSync(target, path.join(out, 'out-link'));
    const { code, stderr } = await mlship(['train', dir, '--out', out]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toBe(`✗ out-link: ${path.join(out, 'out-link')}: the output folder is a symbolic link; refusing to write the artifact through it\n`);
    expect(existsSync(path.join(target, 'model.json'))).toBe(false);
  });
});
