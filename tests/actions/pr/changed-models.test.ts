import { describe, expect, it } from 'vitest';
import { changedModels } from '../../../actions/lib/pr/changed-models.ts';

describe('changedModels', () => {
  const existing = ['diabetes', 'iris', 'wine'];

  it('trains the models whose folders have a changed file, sorted', () => {
    expect(changedModels(['models/wine/wine.csv', 'models/iris/model.yaml', 'models/iris/iris.csv', 'README.md'], existing)).toEqual({ train: ['iris', 'wine'], removed: [], all: false });
  });

  it('trains every model when training/ changed', () => {
    expect(changedModels(['training/cart/train.ts'], existing)).toEqual({ train: existing, removed: [], all: true });
  });

  it('trains nothing for the lock, a file directly in models/, or another folder named like training', () => {
    expect(changedModels(['models.lock.json', 'models/README.md', 'training-notes.md', 'docs/training/x.md'], existing)).toEqual({ train: [], removed: [], all: false });
  });

  it('removes a changed model whose folder is gone at the head, and keeps the others', () => {
    expect(changedModels(['models/old/model.yaml', 'models/old/old.csv', 'models/iris/iris.csv'], existing)).toEqual({ train: ['iris'], removed: ['old'], all: false });
  });

  it('a renamed folder trains the new name and removes the old', () => {
    expect(changedModels(['models/flowers/model.yaml', 'models/iris/model.yaml'], ['flowers'])).toEqual({ train: ['flowers'], removed: ['iris'], all: false });
  });

  it('ignores folders that cannot be model names', () => {
    expect(changedModels(['models/Bad Name/model.yaml', 'models/../x/y', 'models/.hidden/a'], existing)).toEqual({ train: [], removed: [], all: false });
  });
});
