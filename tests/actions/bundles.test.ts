/**
 * The committed action bundles are what actions/build.ts makes from the sources now: a stale one
 * (a source changed, the bundle not rebuilt) fails here, naming the file and the command to run.
 * The serving bundle's chunk folder must hold this build's chunks and nothing else: a leftover
 * chunk of an earlier build would be shipped (and digested) with it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildActions } from '../../actions/build.ts';
import { sha256 } from '../../training/artifact.ts';
import { REPO, tempDir } from '../helpers/temp.ts';

const CHUNKS = path.join('actions', 'build-image', 'dist', 'serve-chunks');

describe('committed action bundles', () => {
  const dir = tempDir('mlship-actions-');

  it('are byte for byte what `node actions/build.ts` builds now', async () => {
    const files = await buildActions(dir);
    expect(files).toContain(path.join('actions', 'build-image', 'dist', 'index.js'));
    expect(files).toContain(path.join('actions', 'build-image', 'dist', 'serve.mjs'));
    expect(files.filter((f) => f.startsWith(CHUNKS + path.sep)).length).toBeGreaterThan(0);
    for (const file of files) {
      const fresh = await readFile(path.join(dir, file));
      const committed = await readFile(path.join(REPO, file)).catch(() => Buffer.alloc(0));
      expect(sha256(committed), `${file} is stale: run \`node actions/build.ts\` and commit it`).toBe(sha256(fresh));
    }
    const committedChunks = (await readdir(path.join(REPO, CHUNKS)).catch(() => [])).sort();
    expect(committedChunks, `${CHUNKS} holds other files than the build's: run \`node actions/build.ts\` and commit the folder`).toEqual((await readdir(path.join(dir, CHUNKS))).sort());
  }, 120_000);
});
