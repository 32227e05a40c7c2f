/** Model folders for the pull-request tests: the example iris, changed as a pull request would change it. */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO, tempDir } from '../../helpers/temp.ts';

/**
 * A team's model repository as `mlship init` scaffolds it (example model, empty lock, workflows
 * calling mlship's actions at a commit): every file, keyed by its path.
 */
export function scaffoldedRepository(): Record<string, string> {
  const dir = path.join(tempDir('mlship-init-'), 'team-models');
  execFileSync(process.execPath, [path.join(REPO, 'cli/main.ts'), 'init', dir, '--owner', 'acme', '--commit', 'c0ffee'.repeat(6) + 'c0ff'], { encoding: 'utf8' });
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else files[rel] = readFileSync(path.join(dir, rel), 'utf8');
    }
  };
  walk('');
  return files;
}

export function irisFiles(): Record<string, string> {
  const dir = path.join(REPO, 'models/iris');
  return { 'models/iris/model.yaml': readFileSync(path.join(dir, 'model.yaml'), 'utf8'), 'models/iris/iris.csv': readFileSync(path.join(dir, 'iris.csv'), 'utf8') };
}

/**
 * The iris data with `n` training-relevant changes: some flowers relabelled, so the tree changes
 * and some holdout predictions flip (the row count, and so the seeded split, stays).
 */
export function changedIrisCsv(csv: string, n = 1): string {
  const lines = csv.split(/\r?\n/);
  let changed = 0;
  for (let i = 1; i < lines.length && changed < n; i++) {
    if (lines[i]!.endsWith(',versicolor') && i % 3 === 0) {
      lines[i] = lines[i]!.replace(/,versicolor$/, ',virginica');
      changed++;
    }
  }
  return lines.join('\n');
}

/** The iris spec with a gate no model meets. */
export function impossibleGateSpec(spec: string): string {
  return spec.replace('min: { accuracy: 0.9 }', 'min: { accuracy: 0.999 }');
}

/** A small classification model whose class, feature and cell values are Markdown, HTML and mentions. */
export function hostileFiles(name = 'hostile'): Record<string, string> {
  const classes = ['<img src=x onerror=alert(1)>', '@admin [x](https://evil.example)'];
  const rows = Array.from({ length: 60 }, (_, i) => `${i % 7},${i % 2 === 0 ? '**bold**' : '<b>b</b>'},"${classes[(i + (i % 5 === 0 ? 1 : 0)) % 2]}"`);
  return {
    [`models/${name}/model.yaml`]: 'task: classification\nalgorithm: cart\ndata: data.csv\ntarget: label\nsplit: { test: 0.3, seed: 1 }\ngates:\n  min: { accuracy: 0.1 }\n  maxRegression: { accuracy: 0.5 }\n',
    [`models/${name}/data.csv`]: `x,"<script>s</script>",label\n${rows.join('\n')}\n`,
  };
}
