// ml-cart ships no types; only what mlship uses (the reference trainer and its JSON loader).
declare module 'ml-cart' {
  interface TreeOptions {
    gainFunction?: string;
    splitFunction?: string;
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  export class DecisionTreeClassifier {
    constructor(options?: TreeOptions);
    train(trainingSet: number[][], labels: number[]): void;
    predict(rows: number[][]): number[];
    toJSON(): unknown;
    static load(model: unknown): DecisionTreeClassifier;
  }
  export class DecisionTreeRegression {
    constructor(options?: TreeOptions);
    train(trainingSet: number[][], values: number[]): void;
    predict(rows: number[][]): number[];
    toJSON(): unknown;
    static load(model: unknown): DecisionTreeRegression;
  }
}
