export type {
  AlertPolicyOptions,
  AlertTrackerState,
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
export type { FitOptions, FitProgress } from './detector/fit-options.js';
export { throwIfAborted, yieldAndCheck } from './detector/fit-options.js';
export type { RestoreDetector } from './detector/registry.js';
export { loadDetector, registerDetector, registeredKinds } from './detector/registry.js';
export type { StreamCounters } from './detector/stream-guard.js';
export { StreamGuard } from './detector/stream-guard.js';
export type { VigilErrorCode, VigilErrorDetails } from './errors.js';
export { checkNumberOption, VigilAbortError, VigilError, VigilInputError } from './errors.js';
export { createRng, type Rng } from './math/random.js';
export type { OtelOutputOptions } from './otel/otel-output.js';
export { OtelOutput, SERIES_ATTRIBUTE, SEVERITY_ATTRIBUTE } from './otel/otel-output.js';
export type { DetectorFactoryModule, DetectorSpec } from './pipeline/fit-messages.js';
export type { Incident, IncidentChange, IncidentGrouperState } from './pipeline/incidents.js';
export { IncidentGrouper } from './pipeline/incidents.js';
export type { KeyedPoint, OtlpMetricsRequest } from './pipeline/otlp.js';
export { OtlpTranslator, seriesKey } from './pipeline/otlp.js';
export type { PipelineDetectors, PipelineOptions, PipelineStats } from './pipeline/pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { metricOfKey } from './pipeline/pipeline-options.js';
export type { PipelineSnapshot, SeriesSnapshot } from './pipeline/pipeline-snapshot.js';
export { PIPELINE_SNAPSHOT_VERSION } from './pipeline/pipeline-snapshot.js';
export type { ChangeEstimate, ChangeOptions } from './rca/change-point.js';
export { estimateChange } from './rca/change-point.js';
export type { ConnectionLike, ConnectionResolvers } from './rca/connection-graph.js';
export { topologyFromConnections } from './rca/connection-graph.js';
export type { LeadLag } from './rca/cross-correlation.js';
export { crossCorrelation, leadLag } from './rca/cross-correlation.js';
export { rankRootCauses } from './rca/rank-root-causes.js';
export { seriesAttributes, serviceOf } from './rca/service-of.js';
export type { CallEdge } from './rca/topology.js';
export { PEER_ATTRIBUTES, Topology } from './rca/topology.js';
export type { RankOptions, RankWeights, RootCause, RootCauseRanking } from './rca/types.js';
export { AUDIT_ATTRIBUTES, AuditLog } from './response/audit-log.js';
export { describeAction } from './response/describe-action.js';
export { fillPlaceholders } from './response/fill-placeholders.js';
export { globToRegExp } from './response/glob.js';
export { matchesPolicy } from './response/match-policy.js';
export type { ResponseEngineOptions } from './response/response-engine.js';
export { ResponseEngine } from './response/response-engine.js';
export { SlidingWindowLimit } from './response/sliding-window-limit.js';
export { TokenBucket } from './response/token-bucket.js';
export type {
  ActionExecutor,
  DecisionOutcome,
  ExecAction,
  ForecastSignal,
  PolicyMatch,
  ResponseAction,
  ResponseDecision,
  ResponsePolicy,
  RestartAction,
  ScaleAction,
  Trigger,
  WebhookAction,
  WorkloadTarget,
} from './response/types.js';
export { validatePolicies } from './response/validate-policies.js';
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
