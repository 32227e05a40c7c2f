/** `mlship image build` in process: usage errors (2), a store that lacks a pin (1), a layout build (0). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { formatLock } from '../../registry/lock.ts';
import { commitId, storeFixture } from '../actions/image/helpers.ts';
import type { StoreFixture } from '../actions/image/helpers.ts';
import { buildBaseLayout, requireRegistryTools } from '../fixtures/registry.ts';
import { tempDir } from '../helpers/temp.ts';

async function mlship(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await run(['image', ...args], { cwd, env: {}, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('mlship image build', () => {
  if (!requireRegistryTools()) return;
  const dir = tempDir('mlship-cli-image-');
  let fx: StoreFixture;
  const bundle = path.join(dir, 'serve.mjs');

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await writeFile(bundle, 'console.log("serve");\n');
    await buildBaseLayout(path.join(dir, 'base'));
  });
  const common = () => ['--base', `oci:${path.join(dir, 'base')}:1`, '--bundle', bundle, '--store', `file://${fx.storeDir}`];

  it('refuses bad usage with exit 2 and one line', async () => {
    expect((await mlship([], dir)).code).toBe(2);
    expect(await mlship(['build'], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: mlship image build --to') });
    expect(await mlship(['build', '--to', `127.0.0.1:5000/serving@sha256:${'a'.repeat(64)}`], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('not an image by digest') });
    expect(await mlship(['build', '--to', 'oci:out', '--commit', 'abc'], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('--commit must be a full commit id') });
    expect(await mlship(['build', '--to', 'oci:out', '--platform', 'linux'], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining('platform "linux"') });
  });

  it('builds into an OCI layout and says what it did; a second run finds it', async () => {
    const first = await mlship(['build', '--to', 'oci:out', '--lock', fx.first.file, '--commit', commitId(1), ...common()], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^built oci:.*\/out@sha256:[0-9a-f]{64}\n {2}serves diabetes@\w{12}, iris@\w{12}, wine@\w{12}\n {2}tags inputs-[0-9a-f]{16}, c+1\n {2}uploaded [\d.]+ KiB in 4 blobs; 0 reused; 0 of 3 layers reused\n$/);
    const again = await mlship(['build', '--to', 'oci:out', '--lock', fx.first.file, '--commit', commitId(2), '--json', ...common()], dir);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'found', bytesUploaded: 0, tags: [{ tag: commitId(2), status: 'pushed' }] });
  });

  it('exits 1 naming the model when the store lacks a pinned artifact', async () => {
    const lock = { ...fx.first.lock, models: { ...fx.first.lock.models, iris: { ...fx.first.lock.models.iris!, version: '000000000000' } } };
    const file = path.join(dir, 'missing.lock.json');
    await writeFile(file, formatLock(lock));
    const { code, stderr } = await mlship(['build', '--to', 'oci:out2', '--lock', file, ...common()], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^mlship image build: .*model "iris" version 000000000000 is not in the store\n$/);
  });
});
