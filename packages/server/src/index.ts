export { execExecutor } from './actions/exec.js';
export type { ResponseEngineExtras } from './actions/from-config.js';
export { createResponseEngine, defaultExecutors, kubeConfigFrom } from './actions/from-config.js';
export type { KubernetesExecutorOptions } from './actions/kubernetes.js';
export {
  kubernetesRestartExecutor,
  kubernetesScaleExecutor,
  RESTARTED_AT_ANNOTATION,
  scaledReplicas,
} from './actions/kubernetes.js';
export type { WebhookExecutorOptions } from './actions/webhook.js';
export { webhookExecutor } from './actions/webhook.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { VigilConfig, VigilConfigInput } from './config/schema.js';
export { configSchema, configSections } from './config/schema.js';
export type { OtlpEncoding, OtlpRejection } from './otlp/decode.js';
export { decodeMetricsRequest, decompress, encodingOf } from './otlp/decode.js';
export type { IngestResult, IngestStats, MetricsIngestOptions, PointSink } from './otlp/metrics-ingest.js';
export { MetricsIngest } from './otlp/metrics-ingest.js';
export type { OtlpGrpcReceiver, OtlpGrpcReceiverOptions } from './receivers/otlp-grpc.js';
export { startOtlpGrpcReceiver } from './receivers/otlp-grpc.js';
export type {
  OtlpHttpReceiver,
  OtlpHttpReceiverOptions,
  OtlpHttpReceiverStats,
} from './receivers/otlp-http.js';
export { startOtlpHttpReceiver } from './receivers/otlp-http.js';
export { startOtlpReceiver } from './receivers/start-otlp-receiver.js';
