/**
 * Appends Markdown to the step's job summary (the file `GITHUB_STEP_SUMMARY` names). Written
 * here rather than with `core.summary`, which keeps the first path it saw for the life of the
 * process, so that several runs in one process (the tests) each write their own step's file.
 */
import { appendFile } from 'node:fs/promises';

/** GitHub shows at most 1 MiB of summary per step. */
export const SUMMARY_LIMIT = 1024 * 1024;

export async function appendJobSummary(file: string | undefined, markdown: string): Promise<boolean> {
  if (!file) return false;
  await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
