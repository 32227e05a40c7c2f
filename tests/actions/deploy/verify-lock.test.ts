/**
 * The verify-lock action's run() against a file store: every pinned artifact present and
 * matching passes with one summary row per model; a tampered artifact (other bytes under the
 * pinned version) and a missing one fail the job, naming the model in the log and the summary.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../actions/verify-lock/run.ts';
import { emptyLock, formatLock } from '../../../registry/lock.ts';
import type { Fixture } from '../../serving/helpers.ts';
import { writeFixture } from '../../serving/helpers.ts';
import { pushStep } from './helpers.ts';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

const verify = (f: Fixture) => pushStep(() => run(), { workspace: f.dir, inputs: { lock: 'models.lock.json', store: f.store } });

describe('verify-lock action', () => {
  it('passes when every pinned artifact is in the store with its sha256; one row per model', async () => {
    fixture = await writeFixture();
    const step = await verify(fixture);
    expect(step.failed).toBe(false);
    expect(step.outputs.verified).toBe('true');
    const models = JSON.parse(step.outputs.models!) as { name: string; version: string; ok: boolean }[];
    expect(models.map((m) => m.name)).toEqual(['diabetes', 'iris', 'wine']);
    expect(models.every((m) => m.ok)).toBe(true);
    expect(step.summary).toContain('## mlship verify-lock: ✅ 3 pinned models verified');
    for (const [name, entry] of Object.entries(fixture.lock.models)) expect(step.summary).toContain(`| \`${name}\` | \`${entry.version}\` | ✅ sha256 matches |`);
    expect(step.log).not.toContain('::error');
  });

  it('fails on a tampered artifact, with both digests, in the log and the summary', async () => {
    fixture = await writeFixture({ tamper: ['iris'] });
    const step = await verify(fixture);
    expect(step.failed).toBe(true);
    expect(step.outputs.verified).toBe('false');
    const iris = fixture.lock.models.iris!;
    expect(step.log).toMatch(new RegExp(`::error title=mlship%3A iris ${iris.version} failed verification,file=models.lock.json::.*${iris.sha256}`));
    expect(step.log).toContain('::error::1 of 3 pinned models failed verification');
    expect(step.summary).toContain('❌ 1 of 3 pinned models failed verification');
    expect(step.summary).toMatch(new RegExp(`\\| \`iris\` \\| \`${iris.version}\` \\| ❌ .*${iris.sha256}`));
    expect(step.summary).toContain(`| \`wine\` | \`${fixture.lock.models.wine!.version}\` | ✅ sha256 matches |`);
  });

  it('fails when a pinned artifact is missing from the store', async () => {
    fixture = await writeFixture();
    const wine = fixture.lock.models.wine!;
    await rm(path.join(fixture.modelsDir, 'wine', wine.version), { recursive: true });
    const step = await verify(fixture);
    expect(step.failed).toBe(true);
    expect(JSON.parse(step.outputs.models!)).toContainEqual({ name: 'wine', version: wine.version, ok: false });
    expect(step.log).toContain(`model "wine" version ${wine.version} is missing from the store`);
    expect(step.summary).toContain(`model "wine" version ${wine.version} is missing from the store`.replace(/"/g, '&quot;'));
  });

  it('warns when the lock pins no models', async () => {
    fixture = await writeFixture();
    await writeFile(fixture.lockFile, formatLock(emptyLock()));
    const step = await verify(fixture);
    expect(step.failed).toBe(false);
    expect(step.outputs).toMatchObject({ verified: 'true', models: '[]' });
    expect(step.log).toContain('::warning::models.lock.json pins no models: the image will serve none');
    expect(step.summary).toContain('## mlship verify-lock: ⚠️ the lock pins no models');
  });

  it('fails with one line when the lock cannot be read', async () => {
    fixture = await writeFixture();
    const step = await pushStep(() => run(), { workspace: fixture.dir, inputs: { lock: 'other.lock.json', store: fixture.store } });
    expect(step.failed).toBe(true);
    expect(step.value).toBeUndefined();
    expect(step.log).toMatch(/::error::.*other\.lock\.json: cannot read the lock \(ENOENT\)/);
  });
});
