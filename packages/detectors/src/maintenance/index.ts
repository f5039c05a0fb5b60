// `@vigil/detectors/maintenance`: predictive maintenance (time to exhaustion, leaks, capacity), the seasonal
// forecasters behind them, and the trend statistics they are built from.
import '../register.js';

export type { LeakOptions, LeakReport, LeakVerdict } from './detect-leak.js';
export { detectLeak } from './detect-leak.js';
export type { ExhaustionForecast, ExhaustionMethod, ExhaustionOptions } from './forecast-exhaustion.js';
export { forecastExhaustion } from './forecast-exhaustion.js';
export type { MannKendallOptions, MannKendallResult } from './mann-kendall.js';
export { mannKendall } from './mann-kendall.js';
export type { CapacityOptions, CapacityPlan } from './plan-capacity.js';
export { planCapacity } from './plan-capacity.js';
export type { LinearFit } from './predict-linear.js';
export { linearFit, predictLinearEta } from './predict-linear.js';
export { prophetForecaster } from './prophet-forecaster.js';
export type {
  ForecastBand,
  RobustSeasonalForecasterOptions,
  SeasonalForecaster,
  TrendSummary,
} from './seasonal-forecaster.js';
export { RobustSeasonalForecaster } from './seasonal-forecaster.js';
export type { TheilSenFit, TheilSenOptions } from './theil-sen.js';
export { theilSen } from './theil-sen.js';
