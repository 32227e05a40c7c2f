import { describe, expect, it } from 'vitest';
import { SpecError } from '../../training/errors.ts';
import { loadSpec, parseSpec } from '../../training/spec.ts';
import { EXAMPLES, REPO, modelDir, tempDir } from '../helpers/temp.ts';
import path from 'node:path';
import { describeError } from '../../training/errors.ts';
import { rejected } from '../helpers/errors.ts';

const valid = `task: classification
algorithm: cart
data: iris.csv
target: species
`;

function specError(text: string): SpecError {
  try {
    parseSpec(text, 'models/x/model.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return err as SpecError;
  }
  throw new Error('expected a SpecError');
}

describe('model spec', () => {
  it('parses the shipped examples', async () => {
    for (const name of EXAMPLES) {
      const loaded = await loadSpec(path.join(REPO, 'models', name));
      expect(loaded.name).toBe(name);
      expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(['cart', 'random-forest']).toContain(loaded.spec.algorithm);
    }
  });

  it('applies defaults', () => {
    const spec = parseSpec(valid, 'model.yaml');
    expect(spec.params).toEqual({});
    expect(spec.gates).toEqual({});
    expect(spec.features).toBeUndefined();
  });

  it('reads a spec without "algorithm" as cart (issue 14: cart stays the default)', () => {
    const spec = parseSpec(valid.replace('algorithm: cart\n', ''), 'model.yaml');
    expect(spec.algorithm).toBe('cart');
    // forest-only parameters are still refused when the default applies
    expect(describeError(specError(valid.replace('algorithm: cart\n', '') + 'params:\n  nEstimators: 10\n'))).toContain('is a random-forest parameter (algorithm is cart)');
  });

  it('names the field and line of an unknown algorithm', () => {
    const err = specError(valid.replace('algorithm: cart', 'algorithm: xgboost'));
    expect(describeError(err)).toBe('models/x/model.yaml, line 2, field "algorithm": must be one of "cart", "random-forest"');
    expect(err.place).toMatchObject({ line: 2, field: 'algorithm' });
  });

  it('names a missing required field', () => {
    const err = specError(valid.replace('target: species\n', ''));
    expect(describeError(err)).toContain('field "target": is required');
  });

  it('points at the line of invalid YAML', () => {
    const err = specError('task: classification\nalgorithm: [cart\ndata: iris.csv\n');
    expect(describeError(err)).toMatch(/^models\/x\/model\.yaml, line \d+: invalid YAML/);
    expect(err.place.line).toBeGreaterThanOrEqual(2);
  });

  it('refuses unknown fields (typos) by name and line', () => {
    const err = specError(`${valid}parms: { maxDepth: 3 }\n`);
    expect(describeError(err)).toContain('unknown field(s) "parms"');
    expect(err.place.line).toBe(1);
  });

  it('names a nested bad parameter with its line', () => {
    const err = specError(`${valid}params:\n  maxDepth: -2\n`);
    expect(err.place).toMatchObject({ field: 'params.maxDepth', line: 6 });
  });

  it('refuses a gate on a metric of the other task', () => {
    const err = specError(`${valid}gates:\n  min: { rmse: 3 }\n`);
    expect(describeError(err)).toContain('field "gates.min.rmse"');
    expect(describeError(err)).toContain('not a classification metric');
  });

  it('refuses both a split and a holdout file', () => {
    const err = specError(`${valid}split: { test: 0.2 }\nholdout: h.csv\n`);
    expect(describeError(err)).toContain('field "holdout": give either "split" or "holdout"');
  });

  it('refuses a data path outside the model folder', () => {
    expect(describeError(specError(valid.replace('iris.csv', '../../etc/passwd')))).toContain('field "data"');
    expect(describeError(specError(valid.replace('iris.csv', '/etc/passwd')))).toContain('field "data"');
  });

  it('refuses a feature named twice', () => {
    const err = specError(`${valid}features: [a, b, {name: a, type: category}]\n`);
    expect(describeError(err)).toContain('field "features": names "a" twice');
    expect(err.place.line).toBe(5);
  });

  it('says data from s3:// is not supported yet', () => {
    const err = specError(valid.replace('iris.csv', 's3://team-data/iris.csv'));
    expect(describeError(err)).toContain('field "data": must be a file in the model folder (data from s3:// or other URLs is not supported yet)');
  });

  it('refuses a document that is not a mapping', () => {
    expect(describeError(specError('- a\n- b\n'))).toContain('expected a mapping');
  });

  it('names the file when it cannot be read', async () => {
    const dir = modelDir(tempDir(), 'empty', {});
    expect(await rejected(loadSpec(dir))).toMatch(/empty\/model\.yaml: cannot read the model spec \(ENOENT\)/);
  });
});
