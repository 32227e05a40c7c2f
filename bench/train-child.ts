/**
 * Trains one model folder in a fresh process and prints {trainMs, metrics, maxRssMB} as JSON,
 * so each measurement has its own peak memory. Used by bench/cart.ts.
 */
import { loadSpec } from '../training/spec.ts';
import { trainModel } from '../training/train-model.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: train-child.ts <modelDir>');
const result = await trainModel(await loadSpec(dir), {});
process.stdout.write(
  `${JSON.stringify({
    trainMs: result.trainMs,
    splitter: result.artifact.params.splitter,
    metrics: result.artifact.metrics,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
