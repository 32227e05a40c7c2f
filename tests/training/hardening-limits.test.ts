/**
 * Issue 16 item 15: limits on what training makes (classes, categories per feature, encoded
 * width), configurable in the spec, checked on the loaded table before encoding or fitting, with
 * errors naming the column.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, SpecError } from '../../training/errors.ts';
import { DEFAULT_LIMITS } from '../../training/limits.ts';
import { loadSpec, parseSpec } from '../../training/spec.ts';
import { trainModel } from '../../training/train-model.ts';
import { modelDir, tempDir } from '../helpers/temp.ts';

const root = tempDir();
const spec = (extra = '') => `task: classification\nalgorithm: cart\ndata: d.csv\ntarget: y\n${extra}`;
/** The error a promise (or a call) fails with, as the object. */
async function failure(work: Promise<unknown> | (() => unknown)): Promise<DataError | SpecError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    return err as DataError | SpecError;
  }
  throw new Error('expected an error, but none was thrown');
}
const csv = (header: string, rows: number, row: (i: number) => string) => `${header}\n${Array.from({ length: rows }, (_, i) => row(i)).join('\n')}\n`;

describe('training limits', () => {
  it('the defaults are 1,000 classes, 10,000 categories per feature and 10,000 encoded inputs', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxClasses: 1000, maxCategories: 10000, maxEncodedWidth: 10000 });
  });

  it('a target with more classes than the default limit is refused, naming the column, before any fitting', async () => {
    const dir = modelDir(root, 'classes', { 'model.yaml': spec(), 'd.csv': csv('x,y', 2002, (i) => `${i},k${i % 1001}`) });
    let fitted = false;
    const err = await failure(trainModel(await loadSpec(dir), { onProgress: (e) => (fitted ||= e.phase === 'train') }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.place).toEqual({ file: path.join(dir, 'd.csv'), column: 'y' });
    expect(err.message).toBe('the target has 1,001 classes, over the limit of 1,000 (raise limits.maxClasses in the spec if this is meant)');
    expect(fitted).toBe(false);
  });

  it('limits set in the spec apply: maxCategories names the feature, maxEncodedWidth names the widest', async () => {
    const data = csv('a,b,n,y', 60, (i) => `a${i % 7},b${i % 3},${i},${i % 2 ? 'p' : 'q'}`);
    const cats = modelDir(root, 'cats', { 'model.yaml': spec('limits: { maxCategories: 5 }\n'), 'd.csv': data });
    const e1 = await failure(trainModel(await loadSpec(cats)));
    expect(e1.place.column).toBe('a');
    expect(e1.message).toMatch(/^the feature has 7 categories, over the limit of 5 \(raise limits\.maxCategories/);

    const wide = modelDir(root, 'wide', { 'model.yaml': spec('limits: { maxEncodedWidth: 10 }\n'), 'd.csv': data });
    const e2 = await failure(trainModel(await loadSpec(wide)));
    expect(e2.place.column).toBe('a');
    expect(e2.message).toMatch(/^the 3 features encode to 11 inputs, over the limit of 10; the widest is this column, with 7 inputs/);

    const few = modelDir(root, 'few', { 'model.yaml': spec('limits: { maxClasses: 2, maxCategories: 7, maxEncodedWidth: 11 }\n'), 'd.csv': data });
    expect((await trainModel(await loadSpec(few))).artifact.features).toHaveLength(3); // at the limits is allowed
  });

  it('a raised limit lets a model with many classes train', async () => {
    const dir = modelDir(root, 'raised', { 'model.yaml': spec('limits: { maxClasses: 2000 }\nparams: { maxDepth: 2 }\n'), 'd.csv': csv('x,y', 2002, (i) => `${i},k${i % 1001}`) });
    expect((await trainModel(await loadSpec(dir))).artifact.task).toBe('classification');
  });

  it('a holdout file is checked too', async () => {
    const dir = modelDir(root, 'holdout', {
      'model.yaml': spec('holdout: h.csv\nlimits: { maxClasses: 3 }\n'),
      'd.csv': csv('x,y', 30, (i) => `${i},k${i % 3}`),
      'h.csv': csv('x,y', 30, (i) => `${i},k${i % 5}`),
    });
    const err = await failure(trainModel(await loadSpec(dir)));
    expect(err.place).toEqual({ file: path.join(dir, 'h.csv'), column: 'y' });
  });

  it('limits are validated in the spec', async () => {
    expect(await failure(() => parseSpec(spec('limits: { maxClasses: 1 }\n'), 'model.yaml'))).toBeInstanceOf(SpecError);
    const err = await failure(() => parseSpec(spec('limits: { maxRows: 5 }\n'), 'model.yaml'));
    expect(err.place).toMatchObject({ file: 'model.yaml', line: 5, field: 'limits' });
    expect(err.message).toBe('unknown field(s) "maxRows"');
  });
});
