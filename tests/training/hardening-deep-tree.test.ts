/**
 * Issue 16 item 11: a tree thousands of levels deep (what `minNumSamples: 1, gainThreshold: 0`
 * grows on alternating labels) is serialised, parsed, validated and compiled without recursion,
 * and an unexpected error is never reported with the gate-failed exit code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/run.ts';
import { EXIT } from '../../cli/io.ts';
import { compilePredictor } from '../../serving/compile-predictor.ts';
import type { ArtifactContent } from '../../training/artifact.ts';
import { parseArtifact, sealArtifact } from '../../training/artifact.ts';
import { canonicalJson, sortKeys } from '../../training/canonical-json.ts';
import type { FlatTree } from '../../training/cart/tree.ts';
import { emptyTree, fromMlCart, mlCartModelSchema, toMlCart } from '../../training/cart/tree.ts';
import { loadSpec } from '../../training/spec.ts';
import { trainModel } from '../../training/train-model.ts';
import { REPO, modelDir, tempDir } from '../helpers/temp.ts';

const root = tempDir();
const DEPTH = 60_000; // far beyond what a recursive walk survives on Node's default stack

/** A chain: node 2k splits on x < k, its left child is a leaf, its right child the next split. */
function chainTree(depth: number): FlatTree {
  const n = 2 * depth + 1;
  const tree = emptyTree(n, 2);

  for (let k = 0; k < depth; k++) {
    const at = 2 * k;
    tree.feature[at] = 0;
    tree.threshold[at] = k + 0.5;
    tree.left[at] = at + 1;
    tree.right[at] = at + 2;
    tree.samples[at] = depth - k;
    tree.values[(at + 1) * 2 + (k % 2)] = 1; // the leaf left of split k predicts class k % 2
  }
  tree.values[(n - 1) * 2 + (depth % 2)] = 1;
  return tree;
}

const alternatingCsv = (rows: number) => `x,y\n${Array.from({ length: rows }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
const deepSpec = 'task: classification\nalgorithm: cart\ndata: d.csv\ntarget: y\nparams: { gainThreshold: 0, minNumSamples: 1 }\n';

describe('deep trees', () => {
  it('canonicalJson writes a 100,000-level nesting, byte for byte as JSON.stringify(sortKeys()) writes shallow values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { b: deep, a: [i, null, undefined, 'x'] };
    const text = canonicalJson(deep);
    expect(text.startsWith('{"a":[99999,null,null,"x"],"b":{"a":[99998,')).toBe(true);
    expect(text.endsWith('}}}\n')).toBe(true);
    const shallow = { z: [1, { y: 'é"\n', x: [] }, -0, 1e21], a: { c: true, b: null, u: undefined }, m: [[[]]] };
    expect(canonicalJson(shallow)).toBe(`${JSON.stringify(sortKeys(shallow))}\n`);
    expect(() => canonicalJson({ a: [1, NaN] })).toThrow(RangeError);
  });

  it(`an artifact with a ${DEPTH.toLocaleString('en-US')}-level tree seals, parses, validates and predicts`, async () => {
    const dir = modelDir(root, 'chain', { 'model.yaml': deepSpec, 'd.csv': alternatingCsv(40) });
    const { artifact } = await trainModel(await loadSpec(dir));
    if (artifact.algorithm !== 'cart') throw new Error('expected a cart artifact');
    const { version: _version, ...content } = artifact;
    const model = toMlCart(chainTree(DEPTH), artifact.model.options as Parameters<typeof toMlCart>[1]);
    const sealed = sealArtifact({ ...content, features: [{ name: 'x', type: 'number', impute: 0 }], target: { name: 'y', classes: ['a', 'b'] }, model } as ArtifactContent);
    const parsed = parseArtifact(sealed.bytes, 'deep.json');
    expect(parsed.version).toBe(sealed.artifact.version);
    if (parsed.algorithm !== 'cart') throw new Error('expected a cart artifact');
    expect(fromMlCart(parsed.model, 2).nodeCount).toBe(2 * DEPTH + 1);
    const predictor = compilePredictor(parsed);
    const x = Float64Array.from([0, 1, 2, DEPTH - 1, DEPTH + 5]);
    expect(Array.from(predictor.classify(x, x.length))).toEqual([0, 1, 0, (DEPTH - 1) % 2, DEPTH % 2]);
  });

  it('a bad node deep in the tree is an error naming its field, with the depth elided', () => {
    const model = toMlCart(chainTree(DEPTH), { gainFunction: 'gini', splitFunction: 'mean', minNumSamples: 1, maxDepth: null, gainThreshold: 0, kind: 'classifier' });
    let node = model.root as { right: unknown; splitValue?: unknown };
    for (let k = 0; k < DEPTH - 1; k++) node = node.right as typeof node;
    node.splitValue = 'oops';
    const result = mlCartModelSchema.safeParse(model);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(`root.right.right.right.right.…${DEPTH - 1 - 8} levels….right.right.right.right.splitValue`);
  });

  it('train and publish of 6,000 alternating rows with minNumSamples 1 succeed in the real command line (a RangeError or a zod crash before)', () => {
    const dir = modelDir(root, 'alternating', { 'model.yaml': deepSpec, 'd.csv': alternatingCsv(6000) });
    const out = path.join(root, 'out');
    // A child process, so the stack is Node's default, as for a user (a test worker's may differ).
    const mlship = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'cli/main.ts'), ...args], { cwd: root, encoding: 'utf8' });
    const trained = mlship('train', dir, '--out', out);
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(EXIT.ok);
    const published = mlship('publish', path.join(out, 'alternating', 'model.json'), '--store', `file://${path.join(root, 'store')}`, '--lock', path.join(root, 'lock.json'));
    expect(published.stderr).toBe('');
    expect(published.status).toBe(EXIT.ok);
    expect(published.stdout).toMatch(/^published alternating [0-9a-f]{12}/);
  });

  it('an unexpected error exits 3 with its stack, not 1 (the gate-failed code)', async () => {
    let stderr = '';
    const code = await run(['train', '--help-me'], {
      cwd: root,
      env: {},
      stdout: { write: () => undefined },
      stderr: { write: (t: string) => (stderr += t) },
    });
    expect(code).toBe(EXIT.badInput); // a usage error stays exit 2
    const dir = modelDir(root, 'ok', { 'model.yaml': deepSpec, 'd.csv': alternatingCsv(20) });
    const crashing = await run(['train', dir, '--out', path.join(root, 'out-crash'), '--json'], {
      cwd: root,
      env: {},
      stdout: {
        write: () => {
          throw new TypeError('stdout exploded');
        },
      },
      stderr: { write: (t: string) => (stderr += t) },
    });
    expect(crashing).toBe(EXIT.internal);
    expect(EXIT.internal).not.toBe(EXIT.failed);
    expect(stderr).toMatch(/mlship train: internal error \(a bug in mlship; please report it\): TypeError: stdout exploded\n\s+at /);
  });
});
