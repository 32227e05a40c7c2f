/** Text and JSON for `mlship deploy`, rendered from the deploy library's result. */
import type { PinnedModel } from '../../actions/lib/deploy/pinned.ts';
import { digestOf } from '../../actions/lib/ecs/image.ts';
import type { DeployResult } from '../../actions/lib/ecs/outcome.ts';

const HEADLINE: Record<DeployResult['status'], string> = {
  succeeded: '✓ rolled out',
  skipped: '✓ unchanged (the service already runs it):',
  failed: '✗ failed to roll out',
  'timed-out': '✗ timed out rolling out',
};

export function deployText(result: DeployResult, target: { cluster: string; service: string }, models: PinnedModel[]): string {
  const lines = [
    `${HEADLINE[result.status]} ${result.image} on ${target.service} (cluster ${target.cluster})`,
    `  digest           ${digestOf(result.image) ?? '–'}`,
    `  task definition  ${result.taskDefinitionArn}`,
    `  deployment       ${result.deploymentId ?? '–'}${result.serviceDeploymentStatus ? ` (${result.serviceDeploymentStatus})` : ''}`,
    `  previous         ${result.previous.taskDefinitionArn} (${result.previous.image ?? 'no image'})`,
    `  models           ${models.length === 0 ? 'none pinned' : models.map((m) => `${m.name} ${m.version}`).join(', ')}`,
  ];
  for (const r of result.reasons) lines.push(`  ${r.kind}: ${r.message}${r.taskArn ? ` (${r.taskArn})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** One line of JSON: the library's result with the pinned models beside it. */
export function deployJson(result: DeployResult, models: PinnedModel[]): string {
  return `${JSON.stringify({ ...result, models })}\n`;
}
