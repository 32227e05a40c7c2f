/**
 * The workflow templates: one source of truth for this repository's own workflows and for those
 * `mlship init` writes into a team's repository. `%MLSHIP%/<action>` marks where an action of
 * mlship is used (see render.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const TEMPLATES_DIR = path.join(import.meta.dirname, 'templates');

export interface WorkflowTemplate {
  /** The file under templates/. */
  readonly template: string;
  /** Where it goes in a repository. */
  readonly file: string;
  /** Whether this repository runs it too (rendered with local actions); team-ci.yml is a team's only. */
  readonly own: boolean;
}

export const WORKFLOW_TEMPLATES: readonly WorkflowTemplate[] = [
  { template: 'train.yml', file: '.github/workflows/train.yml', own: true },
  { template: 'report-fork.yml', file: '.github/workflows/report-fork.yml', own: true },
  { template: 'deploy.yml', file: '.github/workflows/deploy.yml', own: true },
  { template: 'team-ci.yml', file: '.github/workflows/ci.yml', own: false },
];

export function readTemplate(template: WorkflowTemplate): Promise<string> {
  return readFile(path.join(TEMPLATES_DIR, template.template), 'utf8');
}
