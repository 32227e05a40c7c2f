/**
 * The committed action bundles are what actions/build.ts makes from the sources now: a stale one
 * (a source changed, the bundle not rebuilt) fails here, naming the file and the command to run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildActions } from '../../actions/build.ts';
import { sha256 } from '../../training/artifact.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

describe('committed action bundles', () => {
  const dir = tempDir('mlship-actions-');

  it('are byte for byte what `node actions/build.ts` builds now', async () => {
    const files = await buildActions(dir);
    expect(files).toContain(path.join('actions', 'build-image', 'dist', 'index.js'));
    expect(files).toContain(path.join('actions', 'build-image', 'dist', 'serve.mjs'));
    for (const file of files) {
      const fresh = await readFile(path.join(dir, file));
      const committed = await readFile(path.join(REPO, file)).catch(() => Buffer.alloc(0));
      expect(sha256(committed), `${file} is stale: run \`node actions/build.ts\` and commit it`).toBe(sha256(fresh));
    }
  }, 120_000);
});
