// ml-isolation-forest 0.1.0 ships no type declarations; this is the part of its API the benchmark uses.
declare module 'ml-isolation-forest' {
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    train(trainingSet: number[][]): void;
    predict(data: number[][]): number[];
  }
}
