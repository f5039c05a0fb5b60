/**
 * Every container image the generators use, pinned in one place so an upgrade is a one-line, reviewable change.
 * Tags follow each project's release naming (Beyla without `v`, the others with it where upstream uses it).
 *
 * @example
 * IMAGES.tetragon // 'quay.io/cilium/tetragon:v1.5.0'
 */
export const IMAGES = {
  /** Grafana Beyla, the Grafana distribution of OBI. */
  beyla: 'docker.io/grafana/beyla:3.14.0',
  /** OpenTelemetry eBPF Instrumentation, the upstream project Beyla was donated to. */
  obi: 'docker.io/otel/ebpf-instrument:v0.8.0',
  tetragon: 'quay.io/cilium/tetragon:v1.5.0',
  /** Registers Tetragon's CRDs (TracingPolicy, TracingPolicyNamespaced, PodInfo) at start. */
  tetragonOperator: 'quay.io/cilium/tetragon-operator:v1.5.0',
  parca: 'ghcr.io/parca-dev/parca:v0.24.0',
  parcaAgent: 'ghcr.io/parca-dev/parca-agent:v0.39.0',
  /**
   * The Kubernetes distribution of the Collector: it has the otlp receiver and exporters plus the filelog and
   * prometheus receivers Tetragon needs, which the core distribution lacks.
   */
  collector: 'docker.io/otel/opentelemetry-collector-k8s:0.128.0',
  /** `vigil serve`, built from this repository's Dockerfile (`docker build -t ghcr.io/vigil-dev/vigil:0.1.0 .`). */
  vigil: 'ghcr.io/vigil-dev/vigil:0.1.0',
} as const;

/** Vizier version the Pixie operator installs; the operator itself is installed by Pixie's own tooling. */
export const PIXIE_VIZIER_VERSION = '0.14.15';
