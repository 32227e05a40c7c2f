import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/run.ts';
import { openStore } from '../../../registry/store/index.ts';
import { git, pushCommit } from '../../fakes/github/test-git.ts';
import { changedIrisCsv, impossibleGateSpec, irisFiles } from './models.ts';
import { checkoutAt, publishChampions, scratchDir } from './scenario.ts';

describe('mlship report --base: the pull request’s report, locally', () => {
  const root = scratchDir('mlship-cli-report-');
  const storeUri = `file://${path.join(root, 'store')}`;
  let cwd: string;
  const iris = irisFiles();

  beforeAll(async () => {
    const lock = await publishChampions(openStore(storeUri), iris, ['iris']);
    const gitDir = path.join(root, 'origin.git');
    git(['init', '--quiet', '--bare', gitDir]);
    const main = pushCommit(gitDir, 'main', { ...iris, 'models.lock.json': lock });
    cwd = checkoutAt(gitDir, main);
    git(['checkout', '--quiet', '-b', 'change'], cwd);
  });

  const report = async (args: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await run(['report', ...args], { cwd, env: { MLSHIP_STORE: storeUri }, stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } });
    return { code, ...out };
  };

  it('says nothing changed on a clean branch', async () => {
    expect(await report(['--base', 'origin/main'])).toMatchObject({ code: 0, stdout: expect.stringContaining('## mlship ✅ no model changed') });
  });

  it('prints the same Markdown the comment shows for an uncommitted data change, gated against the base’s champion', async () => {
    writeFileSync(path.join(cwd, 'models/iris/iris.csv'), changedIrisCsv(iris['models/iris/iris.csv']!, 8));
    const { code, stdout, stderr } = await report(['--base', 'origin/main']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith('<!-- mlship-report -->\n\n## mlship ✅ the model passed its gates')).toBe(true);
    expect(stdout).toMatch(/Candidate `[0-9a-f]{12}` against champion `[0-9a-f]{12}` on the same 30 holdout rows\./);
    expect(stdout).toMatch(/\*\*1 of 30 rows\*\* \(3\.3%\) change their prediction/);
  });

  it('exits 1 when a gate fails, and refuses a base that is no commit or looks like an option', async () => {
    writeFileSync(path.join(cwd, 'models/iris/model.yaml'), impossibleGateSpec(iris['models/iris/model.yaml']!));
    expect(await report(['--base', 'origin/main'])).toMatchObject({ code: 1, stdout: expect.stringContaining('- ❌ accuracy 0.9333 < min 0.9990') });
    expect(await report(['--base', 'nope'])).toMatchObject({ code: 2, stderr: 'mlship report: "nope" names no commit\n' });
    expect(await report(['--base=--output=/tmp/x'])).toMatchObject({ code: 2, stderr: 'mlship report: --base must name a commit, got "--output=/tmp/x"\n' });
    expect((await report([])).code).toBe(2);
  });
});
