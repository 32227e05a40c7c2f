import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../actions/lib/pr/report-markdown.ts';
import type { Results } from '../../../actions/lib/pr/results.ts';
import { parseResults, readResults, resultsFromRun, writeResults } from '../../../actions/lib/pr/results.ts';
import type { Artifact } from '../../../training/artifact.ts';
import { trainModels } from '../../../training/train-models.ts';
import { tempDir } from '../../helpers/temp.ts';
import { rejected } from '../../helpers/errors.ts';
import { changedIrisCsv, hostileFiles, irisFiles } from './models.ts';

const root = tempDir('mlship-report-md-');

function write(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
}

async function championOf(dir: string, name: string): Promise<Artifact> {
  const run = await trainModels([path.join(dir, 'models', name)]);
  const m = run.models[0]!;
  if (m.status === 'error') throw new Error(m.error.message);
  return m.result.artifact;
}

const context = (champions: ReadonlyMap<string, Artifact>) => ({
  pullRequest: 7, head: { sha: 'a'.repeat(40), repository: 'acme/models' }, base: { sha: 'b'.repeat(40), ref: 'main' }, all: false,
  removed: [{ name: 'old', version: '0123456789ab' }], champions, championsLoaded: true,
});

describe('the report from a training run', async () => {
  const base = path.join(root, 'base');
  const head = path.join(root, 'head');
  const iris = irisFiles();
  write(base, { ...iris, ...hostileFiles() });
  write(head, { ...iris, 'models/iris/iris.csv': changedIrisCsv(iris['models/iris/iris.csv']!, 8), ...hostileFiles() });
  // the hostile model's champion lacks one column the candidate has, and has one it lacks
  write(base, { 'models/hostile/data.csv': hostileFiles()['models/hostile/data.csv']!.replace('"<script>s</script>"', 'gone') });
  const champions = new Map([['iris', await championOf(base, 'iris')], ['hostile', await championOf(base, 'hostile')]]);
  const out = path.join(root, 'results');
  const run = await trainModels([path.join(head, 'models/iris'), path.join(head, 'models/hostile')], { champions, out: path.join(out, 'artifacts'), commitFor: () => 'a'.repeat(40) });
  const results = resultsFromRun(run, context(champions));
  const markdown = renderReport(results);
  // a model's section: from its heading to the next one
  const section = (name: string) => {
    const start = markdown.search(new RegExp(`^### \\S+ \`${name}\``, 'm'));
    const end = markdown.indexOf('\n### ', start + 1);
    return markdown.slice(start, end < 0 ? undefined : end);
  };

  it('shows per model the candidate against the champion: metrics with deltas and each gate check', () => {
    const irisResult = results.models.find((m) => m.name === 'iris')!;
    if (irisResult.status === 'error') throw new Error('iris did not train');
    expect(markdown.startsWith('<!-- mlship-report -->\n')).toBe(true);
    expect(section('iris')).toContain(`against champion \`${champions.get('iris')!.version}\``);
    expect(section('iris')).toMatch(/\| accuracy \| 0\.9333 \| 0\.9000 \| \+0\.0333 \|/);
    expect(section('iris')).toContain('- ✅ accuracy 0.9333 ≥ min 0.9000');
    expect(section('iris')).toContain('- ✅ accuracy 0.9333 vs champion 0.9000: not worse, 0.0200 allowed');
    expect(section('iris')).toContain(`store key \`models/iris/${irisResult.version}/model.json\``);
  });

  it('shows the confusion matrix, the data against the champion’s and the prediction diff with flipping rows and their features', () => {
    const s = section('iris');
    expect(s).toMatch(/\| actual \\ predicted \| setosa \| versicolor \| virginica \|/);
    expect(s).toMatch(/\| class versicolor \| \d+ \(\d+\.\d%\) \| \d+ \(\d+\.\d%\) \|/);
    expect(s).toContain('Same feature columns as the champion.');
    expect(s).toMatch(/\*\*1 of 30 rows\*\* \(3\.3%\) change their prediction/);
    expect(s).toMatch(/\| champion \\ candidate \| setosa \| versicolor \| virginica \|/);
    expect(s).toMatch(/\| row \| sepal\\_length \| sepal\\_width \| petal\\_length \| petal\\_width \| actual \| champion \| candidate \|\n\| --- (\| --- )+\|\n\| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \w+ \| \w+ \| \*\*\w+\*\* \|/);
  });

  it('escapes every value that came from data: class and feature names, cells, columns added and removed', () => {
    const s = section('hostile');
    expect(s).not.toMatch(/<img|<script|<b>|@admin|\]\(https/);
    expect(s).toContain('&lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
    expect(s).toContain('&#64;admin');
    expect(s).toContain('Columns added: &lt;script&gt;s&lt;/script&gt;. Columns removed: gone.');
  });

  it('opens with one line per model when there are several', () => {
    expect(markdown).toMatch(/\| model \| version \| gates \| vs champion \|\n\| --- \| --- \| --- \| --- \|\n\| `iris` \| `[0-9a-f]{12}` \| ✅ passed \| accuracy 0\.9333 \(\+0\.0333\) \|/);
    expect(markdown).toContain(`<sub>Trained at ${'a'.repeat(12)}, against the champions pinned at ${'b'.repeat(12)}.</sub>`);
  });

  it('says which models the pull request removes', () => {
    expect(markdown).toContain('### 🗑️ `old` removed\n\nThe pull request deletes `models/old/`: its lock entry (version `0123456789ab`) is removed.');
  });

  it('writes and reads the results document through its one schema', async () => {
    await writeResults(out, results);
    expect(await readResults(out)).toEqual(JSON.parse(JSON.stringify(results)));
  });
});

describe('the results schema', () => {
  const minimal: Results = {
    format: 'mlship.results/v1', pullRequest: 1, head: { sha: null, repository: null }, base: { sha: null, ref: null }, all: false, championsLoaded: true, passed: true, models: [], removed: [],
  };

  it('refuses unknown fields, a misplaced artifact, a model listed twice and bad JSON, naming the field', async () => {
    const text = (r: unknown) => JSON.stringify(r);
    expect(await rejected(Promise.resolve().then(() => parseResults(text({ ...minimal, extra: 1 }), 'r.json')))).toMatch(/^r\.json, field "\(root\)": Unrecognized key/);
    const error = { name: 'x', status: 'error', error: { kind: 'DataError', message: 'bad', place: {} } };
    expect(await rejected(Promise.resolve().then(() => parseResults(text({ ...minimal, models: [error, error] }), 'r.json')))).toBe('r.json, model "x": model "x" is listed twice');
    expect(await rejected(Promise.resolve().then(() => parseResults('{', 'r.json')))).toMatch(/^r\.json: not valid JSON/);
    expect(await rejected(Promise.resolve().then(() => parseResults(text({ ...minimal, models: [{ ...error, name: '../etc' }] }), 'r.json')))).toMatch(/field "models\.0\.name"/);
  });

  it('says so when nothing changed', () => {
    expect(renderReport(minimal)).toBe('<!-- mlship-report -->\n\n## mlship ✅ no model changed\n\nNo model changed in this pull request: nothing to train, nothing to gate. ✅\n');
  });
});
