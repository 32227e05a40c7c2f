/** Holdout metrics: accuracy, macro F1 and a confusion matrix; RMSE, MAE and R². */
import { z } from 'zod';

export const classificationMetricsSchema = z.strictObject({
  accuracy: z.number(),
  macroF1: z.number(),
  /** confusionMatrix[actual][predicted], in the order of the target's classes. */
  confusionMatrix: z.array(z.array(z.int())),
  /** A random forest's out-of-bag accuracy on its training rows (beside the holdout figures). */
  oobAccuracy: z.number().optional(),
});
export const regressionMetricsSchema = z.strictObject({
  rmse: z.number(),
  mae: z.number(),
  r2: z.number(),
  /** A random forest's out-of-bag R² on its training rows. */
  oobR2: z.number().optional(),
});
export type ClassificationMetrics = z.infer<typeof classificationMetricsSchema>;
export type RegressionMetrics = z.infer<typeof regressionMetricsSchema>;
export type Metrics = ClassificationMetrics | RegressionMetrics;

export function classificationMetrics(actual: Int32Array, predicted: Int32Array, classCount: number): ClassificationMetrics {
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    matrix[actual[i]!]![predicted[i]!]!++;
    if (actual[i] === predicted[i]) correct++;
  }
  // Macro F1 over the classes present in the holdout or predicted (absent ones have no F1).
  let f1Sum = 0;
  let counted = 0;
  for (let c = 0; c < classCount; c++) {
    const tp = matrix[c]![c]!;
    const actualC = matrix[c]!.reduce((a, b) => a + b, 0);
    const predictedC = matrix.reduce((a, row) => a + row[c]!, 0);
    if (actualC === 0 && predictedC === 0) continue;
    f1Sum += (2 * tp) / (actualC + predictedC);
    counted++;
  }
  return { accuracy: correct / actual.length, macroF1: counted > 0 ? f1Sum / counted : 0, confusionMatrix: matrix };
}

export function regressionMetrics(actual: Float64Array, predicted: Float64Array): RegressionMetrics {
  const n = actual.length;
  let mean = 0;
  for (const v of actual) mean += v / n;
  let se = 0;
  let ae = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    const d = actual[i]! - predicted[i]!;
    se += d * d;
    ae += Math.abs(d);
    tss += (actual[i]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: tss > 0 ? 1 - se / tss : 0 };
}
