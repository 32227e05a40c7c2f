/** The workflow files the tests read, and a way to break one on purpose. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/temp.ts';
import type { Workflow } from './workflow.ts';
import { readWorkflow } from './workflow.ts';

export const WORKFLOWS_DIR = path.join(REPO, '.github/workflows');

export const workflowFiles = (dir = WORKFLOWS_DIR): string[] =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

export const workflowText = (file: string, dir = WORKFLOWS_DIR): string => readFileSync(path.join(dir, file), 'utf8');

export const workflow = (file: string, dir = WORKFLOWS_DIR): Workflow => readWorkflow(workflowText(file, dir), file);

/** `text` with `from` replaced by `to`; throws when `from` is not there, so a broken test cannot pass by accident. */
export function edit(text: string, from: string | RegExp, to: string): string {
  const edited = text.replace(from, to);
  if (edited === text) throw new Error(`the edit did not apply: ${String(from)}`);
  return edited;
}
