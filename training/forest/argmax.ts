/**
 * The class a forest predicts from its mean distribution: the largest value, the first of equal
 * ones, as scikit-learn chooses. Its own module so that serving's forest predictor takes it
 * without training's trees and their artifact schema.
 */

/** Index of the largest of `w` values at `at` (the first of equal ones). */
export function argmax(values: Float64Array, at: number, w: number): number {
  let best = 0;
  for (let c = 1; c < w; c++) if (values[at + c]! > values[at + best]!) best = c;
  return best;
}
