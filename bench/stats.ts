/** The middle of repeated timings (the upper middle for an even count): steadier than a mean on a shared machine. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
