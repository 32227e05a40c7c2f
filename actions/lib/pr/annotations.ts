/**
 * GitHub annotations from the results: an error at its file and line (the spec or the CSV row
 * that is wrong), a failed gate at the model's spec. The run module hands them to `core.error`.
 */
import { describePlaced } from '../../../training/errors.ts';
import { specPathFor } from '../../../registry/lock.ts';
import type { Results } from './results.ts';

export interface Annotation {
  title: string;
  message: string;
  file?: string;
  startLine?: number;
}

export function annotationsFor(results: Results): Annotation[] {
  const out: Annotation[] = [];
  for (const m of results.models) {
    if (m.status === 'error') {
      out.push({ title: `mlship: ${m.name} could not be trained`, message: describePlaced(m.error), file: m.error.place.file, startLine: m.error.place.line });
    } else if (m.status === 'gate-failed') {
      const failed = m.gates.filter((g) => !g.passed).map((g) => `${g.metric} ${g.kind} ${g.bound} (was ${g.value})`);
      out.push({ title: `mlship: ${m.name} failed a gate`, message: `${m.name} ${m.version} failed: ${failed.join('; ')}`, file: specPathFor(m.name) });
    }
  }
  return out;
}
