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
export type { AdminServer, AdminServerOptions } from './admin/admin-server.js';
export { startAdminServer } from './admin/admin-server.js';
export type { DetectResult } from './cli/detect-command.js';
export { detectCsv } from './cli/detect-command.js';
export type { ClusterConnection } from './cluster/cluster-connection.js';
export { connectCluster } from './cluster/cluster-connection.js';
export type { ClusterErrorCode } from './cluster/cluster-error.js';
export { ClusterError } from './cluster/cluster-error.js';
export type { ClusterNames } from './cluster/cluster-names.js';
export { clusterNames } from './cluster/cluster-names.js';
export type { ClusterNodeOptions } from './cluster/cluster-node.js';
export { ClusterNode } from './cluster/cluster-node.js';
export type { ClusterOptions } from './cluster/cluster-options.js';
export type {
  ClusterEventMessage,
  ClusterWorkerOptions,
  ClusterWorkerStats,
} from './cluster/cluster-worker.js';
export { ClusterWorker } from './cluster/cluster-worker.js';
export { fnv1a32, hash32 } from './cluster/hash32.js';
export type { IncidentMergerOptions, IncidentMergerStats } from './cluster/incident-merger.js';
export { IncidentMerger } from './cluster/incident-merger.js';
export type { MergerSnapshot, OpenEventEntry } from './cluster/merger-store.js';
export { MergerStore } from './cluster/merger-store.js';
export type { PartitionStats, TakeoverInfo } from './cluster/partition-consumer.js';
export type { LeaseStats } from './cluster/partition-leases.js';
export { partitionOf } from './cluster/partition-of.js';
export type { PartitionSnapshot, SeriesLedger } from './cluster/partition-snapshot.js';
export type { PointPublisherOptions, PointTriple, PublisherStats } from './cluster/point-publisher.js';
export { PointPublisher } from './cluster/point-publisher.js';
export { SnapshotBucket } from './cluster/snapshot-bucket.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { VigilConfig, VigilConfigInput } from './config/schema.js';
export { configSchema, configSections } from './config/schema.js';
export type { ReportSeries } from './detect/html-report.js';
export { htmlReport } from './detect/html-report.js';
export type { CsvTable } from './detect/read-csv.js';
export { readCsv } from './detect/read-csv.js';
export type { OtlpEncoding, OtlpRejection } from './otlp/decode.js';
export { decodeMetricsRequest, decompress, encodingOf } from './otlp/decode.js';
export type { IngestResult, IngestStats, MetricsIngestOptions, PointSink } from './otlp/metrics-ingest.js';
export { MetricsIngest } from './otlp/metrics-ingest.js';
export type { OtlpTypes } from './otlp/proto-root.js';
export { METRICS_SERVICE_PROTO, otlpTypes, protoDir } from './otlp/proto-root.js';
export type {
  AlertmanagerOutputOptions,
  AlertmanagerStats,
  PostableAlert,
} from './outputs/alertmanager-output.js';
export { AlertmanagerOutput } from './outputs/alertmanager-output.js';
export { ConsoleOutput } from './outputs/console-output.js';
export type { OtelExportOptions } from './outputs/otel-export.js';
export { OtelExport } from './outputs/otel-export.js';
export type { Output } from './outputs/output.js';
export type { OtlpGrpcReceiver, OtlpGrpcReceiverOptions } from './receivers/otlp-grpc.js';
export { startOtlpGrpcReceiver } from './receivers/otlp-grpc.js';
export type {
  OtlpHttpReceiver,
  OtlpHttpReceiverOptions,
  OtlpHttpReceiverStats,
} from './receivers/otlp-http.js';
export { startOtlpHttpReceiver } from './receivers/otlp-http.js';
export { startOtlpReceiver } from './receivers/start-otlp-receiver.js';
export { detectorFactory, detectorSpec } from './serve/detector-rules.js';
export type { ForecastEvent } from './serve/forecast-event.js';
export type { HistorySource } from './serve/maintenance-checks.js';
export { MaintenanceChecks } from './serve/maintenance-checks.js';
export { matchGlob } from './serve/match-glob.js';
export { pipelineOptions } from './serve/pipeline-options.js';
export type { ServiceMetricSources } from './serve/service-metrics.js';
export { serviceMetrics } from './serve/service-metrics.js';
export type { VigilServiceOptions } from './serve/vigil-service.js';
export { VigilService } from './serve/vigil-service.js';
export { SnapshotStore } from './state/snapshot-store.js';
