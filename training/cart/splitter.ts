/** What the tree grower asks of a split finder; see exact-splitter.ts and histogram-splitter.ts. */
export interface Split {
  /** Encoded input column. */
  feature: number;
  /** Rows with x < threshold go left. */
  threshold: number;
  /** Σ s²/n over both children (higher is better). */
  score: number;
  /** Statistics of the left child (`[n, s_1 … s_m]`). */
  leftStats: Float64Array;
}

/**
 * The features a split may test: visited in `order`, the search stops once `count` features that
 * vary in the node were tried (as scikit-learn's max_features: constant ones do not count).
 */
export interface FeatureSubset {
  order: Int32Array;
  count: number;
}

/**
 * A split finder over the rows of a node, which occupy positions [start, end) of the splitter's
 * own row ordering. `State` is per-node data the splitter keeps (e.g. a histogram).
 */
export interface Splitter<State> {
  rootState(): State;
  /** `features`, when given, limits the search (a forest samples features at every split). */
  best(start: number, end: number, stats: Float64Array, state: State, features?: FeatureSubset): Split | undefined;
  /**
   * Reorders [start, end) so the left child's rows come first and returns where the right
   * child's rows begin, with each child's state (only built when `need` says so).
   */
  apply(start: number, end: number, split: Split, state: State, needLeft: boolean, needRight: boolean): { mid: number; left: State; right: State };
  release(state: State): void;
}
