import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_VARIABLES } from '../../cli/init/variables.ts';
import { run } from '../../cli/run.ts';
import { emptyLock, formatLock } from '../../registry/lock.ts';
import { REPO, tempDir } from '../helpers/temp.ts';
import { actionlint, formatLint } from '../workflows/actionlint.ts';
import { workflowFiles, workflowText } from '../workflows/files.ts';
import { checkDeployWorkflow, checkTrainWorkflow, checkWorkflow } from '../workflows/policy.ts';
import { readWorkflow } from '../workflows/workflow.ts';

const root = tempDir('mlship-init-');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

async function mlship(args: string[], cwd = root) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { cwd, env: {}, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('mlship init', () => {
  let result: Awaited<ReturnType<typeof mlship>>;
  beforeAll(async () => {
    result = await mlship(['init', 'team', '--owner', 'acme', '--commit', SHA]);
  });
  const team = path.join(root, 'team');
  const read = (file: string) => readFileSync(path.join(team, file), 'utf8');
  const workflows = path.join(team, '.github/workflows');

  it('scaffolds the example model, an empty lock, .gitignore, a README and the workflows', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of ['README.md', '.gitignore', 'models.lock.json', 'models/iris/model.yaml', 'models/iris/iris.csv', ...['train', 'report-fork', 'deploy', 'ci'].map((w) => `.github/workflows/${w}.yml`)]) {
      expect(existsSync(path.join(team, file)), file).toBe(true);
      expect(result.stdout).toContain(path.join('team', file));
    }
    expect(read('models.lock.json')).toBe(formatLock(emptyLock()));
    expect(read('models.lock.json')).toBe('{\n  "lockfileVersion": 2,\n  "models": {}\n}\n');
    expect(read('.gitignore')).toBe('.mlship/\n');
    expect(read('models/iris/model.yaml')).toBe(readFileSync(path.join(REPO, 'models/iris/model.yaml'), 'utf8'));
    for (const v of REPOSITORY_VARIABLES) expect(read('README.md')).toContain(`\`${v.name}\``);
    expect(read('README.md')).toContain('mlship / gates');
  });

  it("uses mlship's actions pinned to the commit, never local ones", () => {
    const train = read('.github/workflows/train.yml');
    expect(train).toContain(`uses: acme/mlship/actions/train@${SHA}`);
    expect(train).toContain(`uses: acme/mlship/actions/publish@${SHA}`);
    expect(read('.github/workflows/deploy.yml')).toContain(`uses: acme/mlship/actions/build-image@${SHA}`);
    expect(read('.github/workflows/ci.yml')).toMatch(new RegExp(`repository: acme/mlship\\n\\s+ref: ${SHA}`));
    for (const file of workflowFiles(workflows)) expect(workflowText(file, workflows)).not.toContain('./actions/');
  });

  it('the workflows are the templates this repository runs, but for where the actions live', () => {
    for (const file of ['train.yml', 'report-fork.yml', 'deploy.yml']) {
      expect(workflowText(file, workflows).replaceAll(`acme/mlship/actions/`, './actions/').replaceAll(`@${SHA}`, '')).toBe(workflowText(file));
    }
  });

  it('actionlint and the security policy find nothing in the workflows', async () => {
    for (const file of workflowFiles(workflows)) {
      const text = workflowText(file, workflows);
      expect(formatLint(await actionlint(text, file)), file).toEqual([]);
      expect(checkWorkflow(readWorkflow(text, file), { mlshipRepository: 'acme/mlship' }), file).toEqual([]);
    }
    expect(checkTrainWorkflow(readWorkflow(read('.github/workflows/train.yml'), 'train.yml'))).toEqual([]);
    expect(checkDeployWorkflow(readWorkflow(read('.github/workflows/deploy.yml'), 'deploy.yml'))).toEqual([]);
  });

  it('is a repository in which the example model trains and the empty lock reproduces', async () => {
    git(team, 'init', '--quiet', '--initial-branch=main');
    git(team, 'add', '-A');
    git(team, 'commit', '--quiet', '-m', 'mlship init');
    const trained = await mlship(['train', 'models/iris', '--json'], team);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({ name: 'iris', passed: true, commit: git(team, 'rev-parse', 'HEAD') });
    expect(existsSync(path.join(team, '.mlship/artifacts/iris/model.json'))).toBe(true);
    expect(git(team, 'status', '--porcelain')).toBe(''); // .mlship/ is ignored
    const verified = await mlship(['verify', '--reproduce'], team);
    expect(verified).toMatchObject({ code: 0, stdout: 'models.lock.json: no models pinned\n' });
  });

  it("ci.yml's reproduce step runs mlship from its checkout under .mlship/", () => {
    const step = readWorkflow(read('.github/workflows/ci.yml'), 'ci.yml').jobs[0]!.steps.find((s) => s.name === 'Rebuild every pinned model from the working tree')!;
    mkdirSync(path.join(team, '.mlship'), { recursive: true });
    symlinkSync(REPO, path.join(team, '.mlship/mlship')); // where the workflow checks mlship out
    expect(execFileSync('bash', ['-e', '-c', step.run!], { cwd: team, encoding: 'utf8' })).toBe('models.lock.json: no models pinned\n');
  });

  it('refuses a folder that is not empty, and writes nothing there', async () => {
    const full = path.join(root, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'notes.txt'), 'mine\n');
    const r = await mlship(['init', 'full', '--owner', 'acme', '--commit', SHA]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/full is not empty/);
    expect(existsSync(path.join(full, 'models.lock.json'))).toBe(false);
  });

  it.each([
    [['init', 'a', '--owner', 'acme', '--commit', 'v1.2.0'], /--commit must be a full commit id/],
    [['init', 'a', '--owner', 'acme', '--commit', SHA.slice(0, 12)], /--commit must be a full commit id/],
    [['init', 'a', '--owner', 'acme', '--commit', SHA.toUpperCase()], /--commit must be a full commit id/],
    [['init', 'a', '--owner', 'ac/me', '--commit', SHA], /--owner must be a GitHub user or organisation name/],
    [['init', 'a', '--owner', 'acme-', '--commit', SHA], /--owner must be a GitHub user or organisation name/],
    [['init', 'a', '--owner', 'acme', '--commit', SHA, '--repo', 'ml ship'], /--repo must be a GitHub repository name/],
    [['init', 'a', '--owner', 'acme'], /usage: mlship init DIR/],
    [['init', '--owner', 'acme', '--commit', SHA], /usage: mlship init DIR/],
  ])('refuses bad input: %j', async (args, message) => {
    const r = await mlship(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(path.join(root, 'a'))).toBe(false);
  });

  it('names another repository of mlship with --repo', async () => {
    const r = await mlship(['init', 'other', '--owner', 'acme', '--repo', 'mlship-fork', '--commit', SHA]);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(root, 'other/.github/workflows/train.yml'), 'utf8')).toContain(`uses: acme/mlship-fork/actions/train@${SHA}`);
  });
});
