/**
 * What merge.test.ts takes from deploy.yml, read from the file itself: the job's permissions are
 * exactly `contents: read` and `id-token: write` (no `deployments: write`: the environment makes
 * the record), and its own actions run as deploy-job.ts runs them (verify-lock → build-image →
 * deploy, with these inputs). The top level granting no write, the mlship-production concurrency
 * group that never cancels, and the production environment are tests/workflows/policy.test.ts's
 * (`checkWorkflow`, `checkDeployWorkflow` on the real file): not repeated here.
 */
import { describe, expect, it } from 'vitest';
import { workflow } from '../../workflows/files.ts';

describe('deploy.yml, as the loop test runs it', () => {
  const deploy = workflow('deploy.yml');
  const job = deploy.jobs.find((j) => j.id === 'deploy')!;

  it('grants the job contents: read and id-token: write, nothing else; nothing at the top level', () => {
    expect(deploy.jobs.map((j) => j.id)).toEqual(['deploy']);
    expect(job.permissions).toEqual({ 'contents': 'read', 'id-token': 'write' });
    expect(deploy.permissions).toEqual({});
    expect(job.raw.environment).toMatchObject({ name: 'production' });
  });

  it('runs verify-lock, build-image and deploy in that order, with the inputs deploy-job.ts gives them', () => {
    const ours = job.steps.filter((s) => s.uses?.startsWith('./actions/'));
    expect(ours.map((s) => [s.uses, Object.keys(s.with).sort()])).toEqual([
      ['./actions/verify-lock', ['lock', 'store']],
      ['./actions/build-image', ['lock', 'registry', 'repository', 'store']],
      ['./actions/deploy', ['cluster', 'container', 'image', 'refresh-role', 'service']],
    ]);
    // build-image's registry and repository come from the split of one variable, its image goes to deploy
    const names = job.steps.map((s) => s.name);
    expect(names.indexOf('Split the ECR repository URI')).toBeLessThan(names.indexOf('Build and push the serving image'));
    expect(ours[2]!.with.image).toBe('${{ steps.image.outputs.image }}');
    expect(ours[1]!.with.registry).toBe('${{ steps.ecr.outputs.registry }}');
  });
});
