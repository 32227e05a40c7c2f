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
 * A split finder over the rows of a node, which occupy positions [start, end) of the splitter's
 * own row ordering. `State` is per-node data the splitter keeps (e.g. a histogram).
 */
export interface Splitter<State> {
  rootState(): State;
  best(start: number, end: number, stats: Float64Array, state: State): Split | undefined;
  /**
   * Reorders [start, end) so the left child's rows come first and returns where the right
   * child's rows begin, with each child's state (only built when `need` says so).
   */
  apply(start: number, end: number, split: Split, state: State, needLeft: boolean, needRight: boolean): { mid: number; left: State; right: State };
  release(state: State): void;
}
