/** action.yml and main.ts agree: every input main.ts reads is declared, every output it sets too. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../../helpers/temp.ts';

const DIR = path.join(REPO, 'actions/build-image');

describe('actions/build-image/action.yml', () => {
  it('runs dist/index.js on node24 and declares what main.ts reads and sets', async () => {
    const action = parse(await readFile(path.join(DIR, 'action.yml'), 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    const main = await readFile(path.join(DIR, 'main.ts'), 'utf8');
    const read = new Set([...main.matchAll(/(?:getInput|input)\('([a-z-]+)'/g)].map((m) => m[1]!));
    const set = new Set([...main.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]!));
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
    expect([...set].sort()).toEqual(Object.keys(action.outputs).sort());
  });
});
