/**
 * The class a distribution predicts: the largest value, the first of equal ones (a forest's mean
 * distribution, as scikit-learn chooses; a tree's leaf, as ml-cart does). Its own module so that
 * serving's predictors take it without training's trees and their artifact schema.
 */

/** Index of the largest of `w` values at `at` (the first of equal ones). */
export function argmax(values: Float64Array, at: number, w: number): number {
  let best = 0;
  for (let c = 1; c < w; c++) if (values[at + c]! > values[at + best]!) best = c;
  return best;
}
