export type { Cycle, CycleExtrema, CycleExtremaOptions } from './maintenance/cycle-extrema.js';
export { cycleExtrema } from './maintenance/cycle-extrema.js';
export type { LeakOptions, LeakReport, LeakVerdict } from './maintenance/detect-leak.js';
export { detectLeak } from './maintenance/detect-leak.js';
export type { Drop, FindDropsOptions } from './maintenance/find-drops.js';
export { dropThreshold, findDrops } from './maintenance/find-drops.js';
export { findLevelDrops } from './maintenance/find-level-drops.js';
export type {
  ExhaustionForecast,
  ExhaustionMethod,
  ExhaustionOptions,
} from './maintenance/forecast-exhaustion.js';
export { forecastExhaustion } from './maintenance/forecast-exhaustion.js';
export { kendallVarianceS } from './maintenance/kendall-variance.js';
export type { MannKendallOptions, MannKendallResult } from './maintenance/mann-kendall.js';
export { mannKendall } from './maintenance/mann-kendall.js';
export { normalCdf, normalQuantile } from './maintenance/normal-distribution.js';
export type { CapacityOptions, CapacityPlan } from './maintenance/plan-capacity.js';
export { planCapacity } from './maintenance/plan-capacity.js';
export type { LinearFit } from './maintenance/predict-linear.js';
export { linearFit, predictLinearEta } from './maintenance/predict-linear.js';
export type {
  ForecastBand,
  RobustSeasonalForecasterOptions,
  SeasonalForecaster,
  TrendSummary,
} from './maintenance/seasonal-forecaster.js';
export { RobustSeasonalForecaster } from './maintenance/seasonal-forecaster.js';
export type { TheilSenFit, TheilSenOptions } from './maintenance/theil-sen.js';
export { theilSen } from './maintenance/theil-sen.js';
