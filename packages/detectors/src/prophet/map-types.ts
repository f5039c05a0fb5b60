// The data, estimates and report of Prophet's MAP fit, shared by the solvers (fit.ts, gauss-newton.ts) so that
// neither imports the other's types.
import type { Growth } from './trend.js';

/** Scaled inputs of the MAP fit (the data block of `prophet.stan`), NaN rows already removed. */
export interface MapData {
  readonly growth: Growth;
  /** Scaled time in [0, 1]. */
  readonly t: Float64Array;
  /** Scaled observations. */
  readonly y: Float64Array;
  /** Scaled capacity per point (logistic only). */
  readonly cap: Float64Array | null;
  /** Scaled changepoint times, increasing. */
  readonly tChange: Float64Array;
  /** Laplace scale of the changepoint prior (`changepointPriorScale`). */
  readonly tau: number;
  /** n × K row-major design matrix of the seasonal/holiday/regressor features. */
  readonly x: Float64Array;
  /** Prior standard deviation per feature column. */
  readonly sigmas: Float64Array;
  /** 1 for multiplicative feature columns. */
  readonly multiplicative: Uint8Array;
}

/** MAP estimates in scaled units (Prophet's `params`). */
export interface MapParams {
  readonly k: number;
  readonly m: number;
  readonly delta: Float64Array;
  readonly sigmaObs: number;
  readonly beta: Float64Array;
}

/** How the fit was computed and how long it took. */
export interface MapFitInfo {
  readonly solver: 'gram-exact' | 'gauss-newton' | 'owlqn';
  readonly iterations: number;
  readonly converged: boolean;
}
