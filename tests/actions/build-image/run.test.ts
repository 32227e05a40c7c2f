/**
 * The build-image action's run() as the runner drives it: inputs as INPUT_* variables, outputs
 * and the job summary written to the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name. The
 * password is masked (`::add-mask::`) before anything else is written, and never printed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../actions/build-image/main.ts';
import { pushBaseImage, REGISTRY_PASSWORD, REGISTRY_USER, requireRegistryTools, useRegistry } from '../../fixtures/registry.ts';
import { tempDir } from '../../helpers/temp.ts';
import { commitId, storeFixture } from '../image/helpers.ts';
import type { StoreFixture } from '../image/helpers.ts';

/** `name<<DELIM\nvalue\nDELIM` blocks, as @actions/core writes them. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]!] = m[3]!;
  return out;
}

describe('actions/build-image run()', () => {
  if (!requireRegistryTools()) return;
  const reg = useRegistry();
  const dir = tempDir('mlship-action-');
  let fx: StoreFixture;
  const bundleFile = path.join(dir, 'serve.mjs');
  const saved = { ...process.env };

  beforeAll(async () => {
    fx = await storeFixture(path.join(dir, 'fx'));
    await writeFile(bundleFile, 'console.log("serve");\n');
    await pushBaseImage(reg.get(), 'base/node', '24');
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  async function runAction(inputs: Record<string, string>) {
    const outputFile = path.join(dir, `output-${Math.random().toString(36).slice(2)}`);
    // @actions/core keeps the summary file it first opened: one for the whole file, emptied per run.
    const summaryFile = path.join(dir, 'summary.md');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    Object.assign(process.env, { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile });
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const result = await run({ bundleFile });
    vi.restoreAllMocks();
    return { result, outputs: parseOutputs(await readFile(outputFile, 'utf8')), summary: await readFile(summaryFile, 'utf8'), printed: printed.join('') };
  }

  const inputs = (commit: string) => ({
    registry: reg.get().host,
    repository: 'serving/action',
    'base-image': `${reg.get().host}/base/node:24`,
    platform: 'linux/amd64',
    lock: fx.first.file,
    store: `file://${fx.storeDir}`,
    source: 'https://github.com/example/models',
    commit,
    previous: '',
    username: REGISTRY_USER,
    password: REGISTRY_PASSWORD,
    insecure: 'true',
  });

  it('builds, sets the outputs and writes the summary; a rerun at another commit finds the image', async () => {
    const first = await runAction(inputs(commitId(1)));
    expect(first.outputs).toEqual({
      image: `${reg.get().host}/serving/action@${first.result.digest}`,
      digest: first.result.digest,
      'inputs-tag': first.result.inputsTag,
      status: 'built',
      'bytes-uploaded': String(first.result.bytesUploaded),
      'layers-reused': String(first.result.layersReused),
    });
    expect(first.summary).toContain('### Serving image built');
    expect(first.summary).toContain(`| iris | \`${fx.first.lock.models.iris!.version}\` |`);
    expect(first.printed.split('\n')[0]).toBe(`::add-mask::${REGISTRY_PASSWORD}`);
    expect(first.printed.replaceAll(`::add-mask::${REGISTRY_PASSWORD}`, '')).not.toContain(REGISTRY_PASSWORD);

    const second = await runAction(inputs(commitId(2)));
    expect(second.outputs).toMatchObject({ status: 'found', digest: first.result.digest, 'bytes-uploaded': '0', 'inputs-tag': first.result.inputsTag });
    expect(second.summary).toContain('found (nothing built)');
    expect(second.summary).toContain(`\`${commitId(2)}\``);
  });

  it('fails with one line naming the input when a required one is missing', async () => {
    const { registry: _registry, ...rest } = inputs(commitId(3));
    for (const [name, value] of Object.entries(rest)) process.env[`INPUT_${name.toUpperCase()}`] = value;
    delete process.env.INPUT_REGISTRY;
    await expect(run({ bundleFile })).rejects.toThrow('Input required and not supplied: registry');
  });
});
