import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArtifact } from '../../training/artifact.ts';
import { ArtifactError, DataError, SpecError } from '../../training/errors.ts';
import { loadModel, predictTable } from '../../training/model.ts';
import { loadSpec } from '../../training/spec.ts';
import { loadCsv } from '../../training/csv.ts';
import { trainModel } from '../../training/train-model.ts';
import { REPO, modelDir, tempDir } from '../helpers/temp.ts';
import { describeError } from '../../training/errors.ts';
import { rejected, thrown } from '../helpers/errors.ts';

const root = tempDir();

/** A small data set with a category, a boolean and missing cells; the label follows color and size. */
function mixedCsv(rows: number): string {
  const lines = ['color,size,fresh,label'];
  const colors = ['red', 'green', 'blue'];
  for (let i = 0; i < rows; i++) {
    const color = colors[i % 3]!;
    const size = i % 7 === 0 ? '' : String((i * 37) % 100);
    const fresh = i % 11 === 0 ? 'NA' : i % 2 === 0 ? 'true' : 'false';
    const label = color === 'red' || (size !== '' && Number(size) > 70) ? 'yes' : 'no';
    lines.push(`${color},${size},${fresh},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

const mixedSpec = `task: classification
algorithm: cart
data: data.csv
target: label
params: { maxDepth: 6 }
gates:
  min: { accuracy: 0.8 }
  maxRegression: { accuracy: 0.01 }
`;

describe('trainModel', () => {
  it('gives a byte-identical artifact from the same commit, spec and data', async () => {
    const loaded = await loadSpec(path.join(REPO, 'models/iris'));
    const a = await trainModel(loaded, { commit: 'abc123' });
    const b = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), { commit: 'abc123' });
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(a.artifact.version).toMatch(/^[0-9a-f]{12}$/);
    const other = await trainModel(loaded, { commit: 'def456' });
    expect(other.artifact.version).not.toBe(a.artifact.version);
  });

  it('records encoding, metrics and lineage, and the artifact validates', async () => {
    const { artifact, bytes, sha256 } = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), { commit: 'c0ffee' });
    const parsed = parseArtifact(bytes, 'model.json');
    expect(parsed).toEqual(artifact);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(artifact.target).toEqual({ name: 'species', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(artifact.features.map((f) => f.type)).toEqual(['number', 'number', 'number', 'number']);
    expect(artifact.lineage).toMatchObject({ commit: 'c0ffee', data: { file: 'iris.csv', rows: 150 }, split: { test: 0.2, seed: 42 }, holdout: null });
    expect(artifact.model.name).toBe('DTClassifier');
    if (artifact.task !== 'classification') throw new Error('iris is a classification');
    expect(artifact.metrics.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('refuses an artifact whose content was altered', async () => {
    const { bytes } = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), { commit: null });
    const tampered = bytes.toString().replace('"minNumSamples":3', '"minNumSamples":4');
    expect(tampered).not.toBe(bytes.toString());
    expect(() => parseArtifact(tampered, 'x/model.json')).toThrow(ArtifactError);
    expect(thrown(() => parseArtifact(tampered, 'x/model.json'))).toMatch(/field "version": version [0-9a-f]{12} does not match its content/);
    expect(thrown(() => parseArtifact('{"format":1}', 'y/model.json'))).toMatch(/y\/model\.json, field "task"/);
  });

  it('trains on categories, booleans and missing values, with the encoding stored and applied', async () => {
    const dir = modelDir(root, 'mixed', { 'model.yaml': mixedSpec, 'data.csv': mixedCsv(300) });
    const result = await trainModel(await loadSpec(dir), { commit: null });
    const { artifact } = result;
    expect(artifact.features).toEqual([
      { name: 'color', type: 'category', categories: ['blue', 'green', 'red'] },
      expect.objectContaining({ name: 'size', type: 'number' }),
      expect.objectContaining({ name: 'fresh', type: 'boolean' }),
    ]);
    if (artifact.task !== 'classification') throw new Error('expected classification');
    expect(artifact.metrics.accuracy).toBeGreaterThan(0.9);
    expect(result.gates.passed).toBe(true);
    // Serving-time rows: unseen category and missing size are encoded by the documented policy.
    const file = path.join(dir, 'predict.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'color,size,fresh\nred,,true\npurple,90,false\nblue,5,NA\n');
    const table = await loadCsv(file, { columns: () => [{ name: 'color', type: 'category' }, { name: 'size', type: 'number' }, { name: 'fresh', type: 'boolean' }] });
    const predicted = predictTable(loadModel(artifact), table, Int32Array.from([0, 1, 2]));
    expect(Array.from(predicted.classes!, (c) => artifact.target.classes[c])).toEqual(['yes', 'yes', 'no']);
  });

  it('names the row of a missing target', async () => {
    const csv = mixedCsv(50).replace(/\nblue,(\d*),(\w*),no\n/, '\nblue,$1,$2,\n');
    const dir = modelDir(root, 'missing-target', { 'model.yaml': mixedSpec, 'data.csv': csv });
    const err = await trainModel(await loadSpec(dir), { commit: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(describeError(err)).toMatch(/data\.csv, row \d+, column "label": the target is missing/);
  });

  it('refuses the target as a feature, and unknown feature columns', async () => {
    const dir = modelDir(root, 'target-feature', { 'model.yaml': `${mixedSpec}features: [color, label]\n`, 'data.csv': mixedCsv(30) });
    await expect(trainModel(await loadSpec(dir), { commit: null })).rejects.toThrow(SpecError);
    const dir2 = modelDir(root, 'unknown-feature', { 'model.yaml': `${mixedSpec}features: [color, weight]\n`, 'data.csv': mixedCsv(30) });
    expect(await rejected(trainModel(await loadSpec(dir2), { commit: null }))).toMatch(/data\.csv, line 1, column "weight": column "weight" is not in the header/);
  });

  it('refuses a data file that links to a file outside the model folder', async () => {
    const { symlinkSync, writeFileSync } = await import('node:fs');
    const secret = path.join(root, 'secret.txt');
    writeFileSync(secret, 'TOKEN=hunter2\n');
    const dir = modelDir(root, 'linked', { 'model.yaml': mixedSpec });
    symlinkSync(secret, path.join(dir, 'data.csv'));
    const err = await trainModel(await loadSpec(dir), { commit: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect(describeError(err)).toBe(`${path.join(dir, 'model.yaml')}, field "data": must be a file inside the model folder, but it is a link to a file outside it`);
    expect(describeError(err)).not.toContain('hunter2');
    // A link that stays inside the folder is fine.
    const inside = modelDir(root, 'linked-inside', { 'model.yaml': mixedSpec, 'real.csv': mixedCsv(60) });
    symlinkSync(path.join(inside, 'real.csv'), path.join(inside, 'data.csv'));
    expect((await trainModel(await loadSpec(inside), { commit: null })).trainRows).toBe(48);
  });

  it('fails a min gate with a reason, without throwing', async () => {
    const dir = modelDir(root, 'strict', { 'model.yaml': mixedSpec.replace('accuracy: 0.8', 'accuracy: 0.999'), 'data.csv': mixedCsv(300).replace(/yes\n(.*)yes\n/g, 'yes\n$1no\n') });
    const result = await trainModel(await loadSpec(dir), { commit: null });
    expect(result.gates.passed).toBe(false);
    expect(result.gates.reasons[0]).toMatch(/^accuracy 0\.\d+ < min 0\.9990$/);
  });

  it('compares with the champion on the same holdout (maxRegression)', async () => {
    const good = modelDir(root, 'champ', { 'model.yaml': mixedSpec, 'data.csv': mixedCsv(300) });
    const champion = (await trainModel(await loadSpec(good), { commit: null })).artifact;
    const same = await trainModel(await loadSpec(good), { commit: null, champion });
    expect(same.gates.passed).toBe(true);
    expect(same.champion?.version).toBe(champion.version);
    expect(same.gates.checks.some((c) => c.startsWith('pass: accuracy') && c.includes(`vs champion ${champion.version}`))).toBe(true);
    // A challenger restricted to a useless feature is worse than the champion on the same rows.
    const worse = modelDir(root, 'champ-worse', { 'model.yaml': `${mixedSpec.replace('accuracy: 0.8', 'accuracy: 0')}features: [fresh]\n`, 'data.csv': mixedCsv(300) });
    const challenger = await trainModel(await loadSpec(worse), { commit: null, champion });
    expect(challenger.gates.passed).toBe(false);
    expect(challenger.gates.reasons[0]).toMatch(/accuracy .* vs champion [0-9a-f]{12} .*worse, allowed 0\.0100/);
  });

  it('uses a fixed holdout file when the spec names one', async () => {
    const dir = modelDir(root, 'fixed', {
      'model.yaml': mixedSpec.replace('gates:', 'holdout: holdout.csv\ngates:'),
      'data.csv': mixedCsv(240),
      'holdout.csv': mixedCsv(60),
    });
    const result = await trainModel(await loadSpec(dir), { commit: null });
    expect(result.trainRows).toBe(240);
    expect(result.holdoutRows).toBe(60);
    expect(result.artifact.lineage.holdout).toMatchObject({ file: 'holdout.csv', rows: 60 });
    expect(result.artifact.lineage.split).toBeNull();
  });
});
