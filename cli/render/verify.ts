/** Text for `mlship verify --reproduce`, rendered from the reproduction results. */
import type { Reproduction } from '../../registry/reproduce.ts';
import { describePlaced } from '../../training/errors.ts';

const short = (digest: string | null) => (digest === null ? 'none' : digest.slice(0, 12));

export function reproductionText(m: Reproduction): string {
  switch (m.status) {
    case 'reproduced':
      return `✓ ${m.name} ${m.version}  reproduced (sha256 ${m.sha256})\n`;
    case 'missing':
      return `✗ ${m.name} ${m.version}  missing: the lock pins it, but ${m.folder}/ is not in the working tree\n`;
    case 'failed':
      return `✗ ${m.name} ${m.version}  cannot be rebuilt: ${describePlaced(m.error)}\n`;
    case 'drifted': {
      const why = m.inputsUnknown
        ? 'the lock recorded no inputs for it (a v1 entry): publish it again to record them'
        : m.changed.length > 0
          ? m.changed.map((c) => `${c.input} changed (pinned ${short(c.pinned)}, now ${short(c.now)})`).join('; ')
          : 'no recorded input differs: the trainer code changed without a new trainer version, or training is not deterministic';
      return `✗ ${m.name} ${m.pinned.version}  drifted: the lock pins sha256 ${m.pinned.sha256}, the working tree rebuilds version ${m.rebuilt.version} (sha256 ${m.rebuilt.sha256})\n    ${why}\n`;
    }
  }
}
