/**
 * Seeded synthetic classification data for benchmarks: 8 numeric features, 3 classes decided by
 * a non-linear rule plus label noise, so a depth-10 tree neither trivially wins nor fails.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from '../training/split.ts';

export const SYNTHETIC_FEATURES = 8;

export interface Synthetic {
  x: Float64Array;
  y: Int32Array;
  rows: number;
  /** Features per row (SYNTHETIC_FEATURES unless asked otherwise). */
  features?: number;
}

/** `features` ≥ 5: the label depends on the first five, the rest are noise (for wide benchmarks). */
export function syntheticClassification(rows: number, seed: number, features = SYNTHETIC_FEATURES): Synthetic {
  const random = seededRandom(seed);
  const f = features;
  const x = new Float64Array(rows * f);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < f; j++) x[r * f + j] = Math.round(random() * 1e4) / 1e3; // 0.000 … 10.000
    const a = x[r * f]!;
    const b = x[r * f + 1]!;
    const c = x[r * f + 2]!;
    const d = x[r * f + 3]!;
    const score = Math.sin(a) * 2 + (b - 5) * (c - 5) * 0.2 + d * 0.3 - x[r * f + 4]! * 0.1;
    let label = score > 1.5 ? 2 : score > -0.5 ? 1 : 0;
    if (random() < 0.05) label = Math.floor(random() * 3); // label noise
    y[r] = label;
  }
  return { x, y, rows, features: f };
}

/** Writes rows [from, to) as CSV with a header f0…f7 (or more),label. */
export async function writeCsv(data: Synthetic, file: string, from: number, to: number): Promise<void> {
  const out = createWriteStream(file);
  const f = data.features ?? SYNTHETIC_FEATURES;
  out.write(`${Array.from({ length: f }, (_, j) => `f${j}`).join(',')},label\n`);
  let chunk = '';
  for (let r = from; r < to; r++) {
    for (let j = 0; j < f; j++) chunk += `${data.x[r * f + j]},`;
    chunk += `c${data.y[r]}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
