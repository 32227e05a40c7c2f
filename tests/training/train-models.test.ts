import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainModels } from '../../training/train-models.ts';
import { modelDir, tempDir } from '../helpers/temp.ts';

describe('trainModels', () => {
  it('returns a data error naming the file when values overflow a metric or the data summary, and trains the rest', async () => {
    const root = tempDir();
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 2 ? 1e308 : -1e308}`);
    const big = modelDir(root, 'big', { 'model.yaml': 'task: regression\nalgorithm: cart\ndata: big.csv\ntarget: y\n', 'big.csv': `x,y\n${rows.join('\n')}\n` });
    const small = modelDir(root, 'small', { 'model.yaml': 'task: regression\nalgorithm: cart\ndata: small.csv\ntarget: y\n', 'small.csv': `x,y\n${Array.from({ length: 60 }, (_, i) => `${i},${i * 2}`).join('\n')}\n` });
    const run = await trainModels([big, small]);
    expect(run.models[0]).toMatchObject({ name: 'big', status: 'error', error: { kind: 'DataError', place: { file: path.join(big, 'big.csv') } } });
    expect(run.models[0]!.status === 'error' && run.models[0]!.error.message).toMatch(/not a finite number/);
    expect(run.models[1]!.status).not.toBe('error');
  });
});
