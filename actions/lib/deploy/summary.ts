/**
 * The deploy's job summary (Markdown, a pure function of the results): the outcome, the image
 * digest, the revision and deployment, the model versions the lock pins, why it failed, and the
 * smoke test. The GitHub deployment record is the one the job's `environment:` creates; the
 * summary says so, since a reader looks for it and the action makes none of its own.
 */
import { digestOf } from '../ecs/image.ts';
import type { DeployResult } from '../ecs/outcome.ts';
import { escapeMarkdown, table } from '../pr/markdown.ts';
import type { PinnedModel } from './pinned.ts';
import type { SmokeResult } from './smoke.ts';

export interface DeploySummaryInput {
  cluster: string;
  service: string;
  container: string;
  result: DeployResult;
  models: PinnedModel[];
  /** The lock file, as the workflow names it. */
  lockFile: string;
  smoke?: SmokeResult;
}

const HEADLINE: Record<DeployResult['status'], string> = {
  succeeded: '✅ rolled out',
  skipped: '⏭️ unchanged: the service already runs this image',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
};

/** A code span for values ECS or the workflow gave (ARNs, digests): no backtick can end it early. */
export const code = (value: string | undefined) => (value ? `\`${value.replace(/[`\r\n]/g, '')}\`` : '–');

export function deploySummary(input: DeploySummaryInput): string {
  const { result, smoke } = input;
  const smokeFailed = smoke !== undefined && !smoke.ok;
  const lines = [`## mlship deploy: ${HEADLINE[result.status]}${smokeFailed ? ', ❌ smoke test failed' : ''}`, ''];
  lines.push(
    table(
      ['', ''],
      [
        ['service', `${code(input.service)} in cluster ${code(input.cluster)}, container ${code(input.container)}`],
        ['image', code(result.image)],
        ['digest', code(digestOf(result.image))],
        ['task definition', code(result.taskDefinitionArn)],
        ['deployment', `${code(result.deploymentId)}${result.serviceDeploymentStatus ? ` (${code(result.serviceDeploymentStatus)})` : ''}`],
        ['previous', `${code(result.previous.taskDefinitionArn)} running ${code(result.previous.image)}`],
      ],
    ),
  );
  lines.push('', `### Models (${code(input.lockFile)})`, '');
  lines.push(input.models.length === 0 ? 'The lock pins no models.' : table(['model', 'version', 'sha256'], input.models.map((m) => [code(m.name), code(m.version), code(m.sha256)])));
  if (result.reasons.length > 0) {
    lines.push('', result.status === 'failed' || result.status === 'timed-out' ? '### Why' : '### Notes', '');
    for (const r of result.reasons) lines.push(`- **${r.kind}**: ${escapeMarkdown(r.message)}${r.taskArn ? ` (${code(r.taskArn)})` : ''}`);
  }
  if (smoke) {
    lines.push('', `### Smoke test: ${smoke.ok ? '✅ passed' : '❌ failed'} (${code(smoke.url)})`, '');
    lines.push(table(['check', 'model', 'result'], smoke.checks.map((c) => [c.check, c.model ? code(c.model) : '', `${c.ok ? '✅' : '❌'} ${escapeMarkdown(c.message)}`])));
  }
  lines.push('', "The GitHub deployment record is the one this job's `environment:` creates (its status follows the job's outcome); this action creates no other.");
  return `${lines.join('\n')}\n`;
}
