import type { MapFitInfo } from './map-types.js';
import type { FeatureSpec } from './seasonality.js';

/** What a fit learnt: scaling, changepoints, components and the MAP parameters (Prophet's `params`, scaled). */
export interface ProphetState {
  readonly start: number;
  readonly tScale: number;
  readonly yScale: number;
  /** Subtracted from y before scaling when there is no logistic floor (0 for absmax, min y for minmax). */
  readonly yMin: number;
  readonly logisticFloor: boolean;
  readonly changepoints: number[];
  readonly tChange: number[];
  readonly spec: FeatureSpec;
  readonly k: number;
  readonly m: number;
  readonly delta: number[];
  readonly sigmaObs: number;
  readonly beta: number[];
  readonly nObserved: number;
  readonly fitInfo: MapFitInfo;
}
