export type {
  AlertPolicyOptions,
  AlertTransition,
  AnomalyEvent,
  ScoredPoint,
  SeverityLevel,
} from './alerting/alert-policy.js';
export { AlertPolicy, AlertTracker } from './alerting/alert-policy.js';
export type { GeneralizedPareto } from './calibration/generalized-pareto.js';
export { fitGeneralizedPareto, gpdInverseSurvival, gpdSurvival } from './calibration/generalized-pareto.js';
export { quantileSorted } from './calibration/quantile.js';
export type {
  TailCalibratorOptions,
  TailCalibratorState,
  TailMethod,
} from './calibration/tail-calibrator.js';
export { TailCalibrator, thresholdForFalsePositiveRate } from './calibration/tail-calibrator.js';
export type {
  Detector,
  DetectorSnapshot,
  FrameDetector,
  PointScore,
  PointStatus,
  Scores,
  SeriesDetector,
} from './detector/detector.js';
export type { RestoreDetector } from './detector/registry.js';
export { loadDetector, registerDetector, registeredKinds } from './detector/registry.js';
export type { StreamCounters } from './detector/stream-guard.js';
export { StreamGuard } from './detector/stream-guard.js';
export type { VigilErrorCode } from './errors.js';
export { checkNumberOption, VigilError, VigilInputError } from './errors.js';
export { createRng, type Rng } from './math/random.js';
export type { OtelOutputOptions } from './otel/otel-output.js';
export { OtelOutput, SERIES_ATTRIBUTE, SEVERITY_ATTRIBUTE } from './otel/otel-output.js';
export type { Incident, IncidentChange } from './pipeline/incidents.js';
export { IncidentGrouper } from './pipeline/incidents.js';
export type { KeyedPoint, OtlpMetricsRequest } from './pipeline/otlp.js';
export { OtlpTranslator, seriesKey } from './pipeline/otlp.js';
export type { PipelineOptions, PipelineStats } from './pipeline/pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export type { CsvOptions } from './series/csv.js';
export { frameFromCsv, seriesFromCsv } from './series/csv.js';
export type { DuplicatePolicy } from './series/duplicates.js';
export { mergeRepeatedTimestamps } from './series/duplicates.js';
export type { Frame, FrameLike } from './series/frame.js';
export { assertSameColumns, frameFromRows, frameFromSeries, isFrameLike, toFrame } from './series/frame.js';
export type { Point, Series, SeriesLike, SeriesOptions } from './series/series.js';
export {
  seriesFromArrays,
  seriesFromPoints,
  seriesFromStep,
  sliceSeries,
  toEpochMs,
  toSeries,
} from './series/series.js';
export { validateTimestamps, validateValues } from './series/validate.js';
