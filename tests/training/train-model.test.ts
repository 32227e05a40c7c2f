import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArtifact } from '../../training/artifact.ts';
import { ArtifactError, DataError, SpecError } from '../../training/errors.ts';
import { loadModel, predictTable } from '../../training/model.ts';
import { loadSpec } from '../../training/spec.ts';
import { loadCsv } from '../../training/csv.ts';
import { trainModel } from '../../training/train-model.ts';
import { REPO, modelDir, tempDir } from '../helpers/temp.ts';
import { gateCheckText } from '../../cli/render/train.ts';
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
  it('gives a byte-identical artifact from the same spec and data, and a new version when an input changes', async () => {
    const loaded = await loadSpec(path.join(REPO, 'models/iris'));
    const a = await trainModel(loaded, {});
    const b = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), {});
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(a.artifact.version).toMatch(/^[0-9a-f]{12}$/);
    // Nothing of the place or time is inside: the same inputs copied elsewhere give the same bytes.
    const copy = modelDir(root, 'iris', { 'model.yaml': readFileSync(loaded.file, 'utf8'), 'iris.csv': readFileSync(path.join(loaded.dir, 'iris.csv'), 'utf8') });
    expect((await trainModel(await loadSpec(copy), {})).bytes.equals(a.bytes)).toBe(true);
    expect(a.bytes.toString()).not.toMatch(/commit|\/tmp|\/work|20\d\d-\d\d-\d\d/);
    const edited = modelDir(root, 'iris-edited', { 'model.yaml': `${readFileSync(loaded.file, 'utf8')}# a comment\n`, 'iris.csv': readFileSync(path.join(loaded.dir, 'iris.csv'), 'utf8') });
    const other = await trainModel({ ...(await loadSpec(edited)), name: 'iris' }, {});
    expect(other.artifact.version).not.toBe(a.artifact.version);
    expect(other.artifact.lineage.spec.sha256).not.toBe(a.artifact.lineage.spec.sha256);
  });

  it('summarises the data: rows, class counts or target spread, and per feature type, missing and categories', async () => {
    const iris = (await trainModel(await loadSpec(path.join(REPO, 'models/iris')), {})).artifact;
    if (iris.format !== 'mlship.model/v2') throw new Error('training writes v2');
    expect(iris.data.rows).toEqual({ train: 120, holdout: 30 });
    if (iris.data.target.kind !== 'classes') throw new Error('iris has classes');
    expect(Object.values(iris.data.target.train).reduce((a, b) => a + b, 0)).toBe(120);
    expect(Object.values(iris.data.target.holdout).reduce((a, b) => a + b, 0)).toBe(30);
    expect(Object.keys(iris.data.target.train)).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.data.features[0]).toEqual({ name: 'sepal_length', type: 'number', missing: 0 });
    const diabetes = (await trainModel(await loadSpec(path.join(REPO, 'models/diabetes')), {})).artifact;
    if (diabetes.format !== 'mlship.model/v2' || diabetes.data.target.kind !== 'values') throw new Error('diabetes is a v2 regression');
    expect(diabetes.data.target.train.mean).toBeGreaterThan(100);
    expect(diabetes.data.target.train.std).toBeGreaterThan(10);
    const mixed = (await trainModel(await loadSpec(modelDir(root, 'mixed-summary', { 'model.yaml': mixedSpec, 'data.csv': mixedCsv(300) })), {})).artifact;
    if (mixed.format !== 'mlship.model/v2') throw new Error('training writes v2');
    expect(mixed.data.features.find((f) => f.name === 'color')).toMatchObject({ type: 'category', categories: 3 });
    expect(mixed.data.features.find((f) => f.name === 'size')!.missing).toBeGreaterThan(0);
  });

  it('records encoding, metrics and lineage, and the artifact validates', async () => {
    const { artifact, bytes, sha256 } = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), {});
    const parsed = parseArtifact(bytes, 'model.json');
    expect(parsed).toEqual(artifact);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(artifact.target).toEqual({ name: 'species', classes: ['setosa', 'versicolor', 'virginica'] });
    expect(artifact.features.map((f) => f.type)).toEqual(['number', 'number', 'number', 'number']);
    expect(artifact.lineage).toMatchObject({ data: { file: 'iris.csv', rows: 150 }, split: { test: 0.2, seed: 42 }, holdout: null });
    expect(artifact.model.name).toBe('DTClassifier');
    if (artifact.task !== 'classification') throw new Error('iris is a classification');
    expect(artifact.metrics.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('refuses an artifact whose content was altered', async () => {
    const { bytes } = await trainModel(await loadSpec(path.join(REPO, 'models/iris')), {});
    const tampered = bytes.toString().replace('"minNumSamples":3', '"minNumSamples":4');
    expect(tampered).not.toBe(bytes.toString());
    expect(() => parseArtifact(tampered, 'x/model.json')).toThrow(ArtifactError);
    expect(thrown(() => parseArtifact(tampered, 'x/model.json'))).toMatch(/field "version": version [0-9a-f]{12} does not match its content/);
    expect(thrown(() => parseArtifact('{"format":1}', 'y/model.json'))).toMatch(/y\/model\.json, field "format": unknown artifact format 1/);
    expect(thrown(() => parseArtifact('{"format":"mlship.model/v2"}', 'y/model.json'))).toMatch(/y\/model\.json, field "task"/);
  });

  it('trains on categories, booleans and missing values, with the encoding stored and applied', async () => {
    const dir = modelDir(root, 'mixed', { 'model.yaml': mixedSpec, 'data.csv': mixedCsv(300) });
    const result = await trainModel(await loadSpec(dir), {});
    const { artifact } = result;
    expect(artifact.features).toEqual([
      { name: 'color', type: 'category', categories: ['blue', 'green', 'red'] },
      expect.objectContaining({ name: 'size', type: 'number' }),
      expect.objectContaining({ name: 'fresh', type: 'boolean' }),
    ]);
    if (artifact.task !== 'classification') throw new Error('expected classification');
    expect(artifact.metrics.accuracy).toBeGreaterThan(0.9);
    expect(result.passed).toBe(true);
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
    const err = await trainModel(await loadSpec(dir), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(describeError(err)).toMatch(/data\.csv, row \d+, column "label": the target is missing/);
  });

  it('refuses the target as a feature, and unknown feature columns', async () => {
    const dir = modelDir(root, 'target-feature', { 'model.yaml': `${mixedSpec}features: [color, label]\n`, 'data.csv': mixedCsv(30) });
    await expect(trainModel(await loadSpec(dir), {})).rejects.toThrow(SpecError);
    const dir2 = modelDir(root, 'unknown-feature', { 'model.yaml': `${mixedSpec}features: [color, weight]\n`, 'data.csv': mixedCsv(30) });
    expect(await rejected(trainModel(await loadSpec(dir2), {}))).toMatch(/data\.csv, line 1, column "weight": column "weight" is not in the header/);
  });

  it('refuses a data file that links to a file outside the model folder', async () => {
    const { symlinkSync, writeFileSync } = await import('node:fs');
    const secret = path.join(root, 'secret.txt');
    writeFileSync(secret, 'TOKEN=hunter2\n');
    const dir = modelDir(root, 'linked', { 'model.yaml': mixedSpec });
    symlinkSync(secret, path.join(dir, 'data.csv'));
    const err = await trainModel(await loadSpec(dir), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect(describeError(err)).toBe(`${path.join(dir, 'model.yaml')}, field "data": must be a file inside the model folder, but it is a link to a file outside it`);
    expect(describeError(err)).not.toContain('hunter2');
    // A link that stays inside the folder is fine.
    const inside = modelDir(root, 'linked-inside', { 'model.yaml': mixedSpec, 'real.csv': mixedCsv(60) });
    symlinkSync(path.join(inside, 'real.csv'), path.join(inside, 'data.csv'));
    expect((await trainModel(await loadSpec(inside), {})).trainRows).toBe(48);
  });

  it('fails a min gate with a reason, without throwing', async () => {
    const dir = modelDir(root, 'strict', { 'model.yaml': mixedSpec.replace('accuracy: 0.8', 'accuracy: 0.999'), 'data.csv': mixedCsv(300).replace(/yes\n(.*)yes\n/g, 'yes\n$1no\n') });
    const result = await trainModel(await loadSpec(dir), {});
    expect(result.passed).toBe(false);
    expect(result.gates[0]).toEqual({ metric: 'accuracy', kind: 'min', value: (result.artifact.metrics as { accuracy: number }).accuracy, bound: 0.999, passed: false });
    expect(result.gates[1]).toMatchObject({ kind: 'maxRegression', skipped: true, passed: true });
    expect(gateCheckText(result.gates[0]!)).toMatch(/^FAIL: accuracy 0\.\d+ < min 0\.9990$/);
  });

  it('compares with the champion on the same holdout (maxRegression)', async () => {
    const good = modelDir(root, 'champ', { 'model.yaml': mixedSpec, 'data.csv': mixedCsv(300) });
    const champion = (await trainModel(await loadSpec(good), {})).artifact;
    const same = await trainModel(await loadSpec(good), { champion });
    expect(same.passed).toBe(true);
    expect(same.champion?.version).toBe(champion.version);
    const check = same.gates.find((c) => c.kind === 'maxRegression')!;
    expect(check).toMatchObject({ metric: 'accuracy', passed: true, champion: { version: champion.version, value: (same.artifact.metrics as { accuracy: number }).accuracy } });
    expect(gateCheckText(check)).toMatch(`pass: accuracy ${(same.artifact.metrics as { accuracy: number }).accuracy.toFixed(4)} vs champion ${champion.version}`);
    // A challenger restricted to a useless feature is worse than the champion on the same rows.
    const worse = modelDir(root, 'champ-worse', { 'model.yaml': `${mixedSpec.replace('accuracy: 0.8', 'accuracy: 0')}features: [fresh]\n`, 'data.csv': mixedCsv(300) });
    const challenger = await trainModel(await loadSpec(worse), { champion });
    expect(challenger.passed).toBe(false);
    const failed = challenger.gates.find((c) => !c.passed)!;
    expect(failed).toMatchObject({ kind: 'maxRegression', bound: 0.01, champion: { version: champion.version } });
    expect(failed.champion!.value - failed.value).toBeGreaterThan(0.01);
    expect(gateCheckText(failed)).toMatch(/FAIL: accuracy .* vs champion [0-9a-f]{12} .*worse, allowed 0\.0100/);
    // The prediction diff on the shared holdout: nothing changes against itself; the challenger flips rows.
    expect(same.diff).toMatchObject({ kind: 'classes', changed: 0, examples: [] });
    const diff = challenger.diff!;
    if (diff.kind !== 'classes') throw new Error('a classifier diff');
    expect(diff.rows).toBe(challenger.holdoutRows);
    expect(diff.flips.flat().reduce((a, b) => a + b, 0)).toBe(diff.rows);
    expect(diff.changed).toBe(diff.rows - diff.labels.reduce((sum, _, i) => sum + diff.flips[i]![i]!, 0));
    expect(diff.changed).toBeGreaterThan(0);
    expect(diff.examples.length).toBe(Math.min(5, diff.changed));
    for (const e of diff.examples) {
      expect(e.champion).not.toBe(e.candidate);
      expect(Object.keys(e.features)).toEqual(['fresh']);
      expect(e.row).toBeGreaterThan(0);
    }
  });

  it('diffs a regressor\'s holdout predictions against the champion\'s: changed rows, the spread of the changes, the rows that moved most', async () => {
    const dir = path.join(REPO, 'models/diabetes');
    const champion = (await trainModel(await loadSpec(dir), {})).artifact;
    const spec = readFileSync(path.join(dir, 'model.yaml'), 'utf8').replace('params: {', 'params: { maxDepth: 2,');
    const shallow = modelDir(root, 'diabetes', { 'model.yaml': spec, 'diabetes.csv': readFileSync(path.join(dir, 'diabetes.csv'), 'utf8') });
    const result = await trainModel(await loadSpec(shallow), { champion });
    const diff = result.diff!;
    if (diff.kind !== 'values') throw new Error('a regressor diff');
    expect(diff.rows).toBe(result.holdoutRows);
    expect(diff.changed).toBeGreaterThan(0);
    expect(diff.delta.min).toBeLessThanOrEqual(diff.delta.median);
    expect(diff.delta.median).toBeLessThanOrEqual(diff.delta.max);
    expect(diff.examples).toHaveLength(5);
    const moved = diff.examples.map((e) => Math.abs(e.candidate - e.champion));
    expect([...moved].sort((a, b) => b - a)).toEqual(moved);
    expect(Object.keys(diff.examples[0]!.features)).toHaveLength(10);
  });

  it('uses a fixed holdout file when the spec names one', async () => {
    const dir = modelDir(root, 'fixed', {
      'model.yaml': mixedSpec.replace('gates:', 'holdout: holdout.csv\ngates:'),
      'data.csv': mixedCsv(240),
      'holdout.csv': mixedCsv(60),
    });
    const result = await trainModel(await loadSpec(dir), {});
    expect(result.trainRows).toBe(240);
    expect(result.holdoutRows).toBe(60);
    expect(result.artifact.lineage.holdout).toMatchObject({ file: 'holdout.csv', rows: 60 });
    expect(result.artifact.lineage.split).toBeNull();
  });
});
