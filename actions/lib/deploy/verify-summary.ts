/** The verify-lock step's job summary: one row per pinned model (a pure function of verifyLock's result). */
import type { LockVerification } from '../../../registry/verify.ts';
import { escapeMarkdown, table } from '../pr/markdown.ts';
import { code } from './summary.ts';

export function verifySummary(result: LockVerification, where: { lockFile: string; store: string }): string {
  const failed = result.models.filter((m) => !m.ok).length;
  const headline =
    result.models.length === 0
      ? '⚠️ the lock pins no models'
      : failed === 0
        ? `✅ ${result.models.length} pinned model${result.models.length === 1 ? '' : 's'} verified`
        : `❌ ${failed} of ${result.models.length} pinned models failed verification`;
  const lines = [`## mlship verify-lock: ${headline}`, '', `${escapeMarkdown(where.lockFile)} against ${code(where.store)}`, ''];
  if (result.models.length > 0) {
    lines.push(
      table(
        ['model', 'version', 'result', 'where'],
        result.models.map((m) => [code(m.name), code(m.version), m.ok ? '✅ sha256 matches' : `❌ ${escapeMarkdown(m.problems.join('; '))}`, code(m.uri)]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
