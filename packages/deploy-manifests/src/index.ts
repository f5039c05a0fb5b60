export type { BeylaComposeOptions } from './beyla/compose.js';
export { beylaCompose, beylaComposeYaml } from './beyla/compose.js';
export type { BeylaConfigOptions } from './beyla/config.js';
export {
  BEYLA_INSTRUMENTATIONS,
  BEYLA_METRIC_FEATURES,
  BEYLA_PROTOCOLS,
  beylaConfig,
} from './beyla/config.js';
export type { BeylaObject, BeylaOptions } from './beyla/manifests.js';
export { BEYLA_CAPABILITIES, BEYLA_DISTRIBUTIONS, beyla } from './beyla/manifests.js';
export type { CliIo } from './cli/run.js';
export { runCli } from './cli/run.js';
export type { ForwarderSources, UpstreamExport } from './collector/config.js';
export { collectorConfigProblems, forwarderConfig, gatewayConfig } from './collector/config.js';
export { COLLECTOR_NAME, collectorUrl, OTLP_GRPC_PORT, OTLP_HTTP_PORT } from './collector/endpoints.js';
export type { CollectorObject, CollectorOptions } from './collector/manifests.js';
export { collector } from './collector/manifests.js';
export type { CommonOptions, KubeObject, Resources } from './common.js';
export { DEFAULT_NAMESPACE, parseQuantity } from './common.js';
export type { ManifestErrorCode, ManifestErrorDetails } from './errors.js';
export { ManifestError } from './errors.js';
export type { ParcaObject, ParcaOptions } from './parca/manifests.js';
export { PARCA_AGENT_PORT, PARCA_PORT, parca } from './parca/manifests.js';
export type { PixieObject, PixieOptions, Vizier } from './pixie/manifests.js';
export { pixie } from './pixie/manifests.js';
export { PXL_SCRIPTS, pxlScripts } from './pixie/pxl.js';
export { applyCommands, CUSTOM_RESOURCES_DIR, isCustomResource, kustomizeFiles } from './stack/kustomize.js';
export type { Bundle, StackOptions, ToolName } from './stack/stack.js';
export { stack, TOOLS } from './stack/stack.js';
export { FILE_MODE, SECRET_FILE_MODE, writeKustomize } from './stack/write-kustomize.js';
export type {
  LibraryPolicyOptions,
  OutboundConnectionsOptions,
  PolicyName,
  SensitiveFilesOptions,
} from './tetragon/library.js';
export {
  libraryPolicy,
  outboundConnectionsPolicy,
  POLICY_NAMES,
  privilegeEscalationPolicy,
  sensitiveFilesPolicy,
} from './tetragon/library.js';
export type { TetragonObject, TetragonOptions } from './tetragon/manifests.js';
export { TETRAGON_EXPORT_DIR, TETRAGON_METRICS_PORT, tetragon } from './tetragon/manifests.js';
export { MAX_ARG_INDEX, MAX_SELECTORS, TracingPolicyBuilder, validatePolicySpec } from './tetragon/policy.js';
export type {
  ArgType,
  KProbeSpec,
  LsmHookSpec,
  MatchAction,
  MatchArg,
  MatchBinary,
  MatchNamespace,
  PodSelector,
  PolicyArg,
  Selector,
  TracepointSpec,
  TracingPolicy,
  TracingPolicyNamespaced,
  TracingPolicySpec,
  UProbeSpec,
} from './tetragon/types.js';
export { ACTIONS, ARG_OPERATORS, ARG_TYPES, BINARY_OPERATORS, NAMESPACE_KINDS } from './tetragon/types.js';
export { bundleProblems, validateBundle } from './validate/bundle.js';
export type { Problem } from './validate/kubernetes.js';
export { VALIDATED_KINDS, validateObject } from './validate/kubernetes.js';
export type { PodSecurityLevel } from './validate/pod-security.js';
export { checkPodSecurity, POD_SECURITY_ENFORCE, podSecurityViolations } from './validate/pod-security.js';
export { checkReferences } from './validate/references.js';
export { IMAGES, PIXIE_VIZIER_VERSION } from './versions.js';
export {
  VIGIL_ADMIN_PORT,
  VIGIL_NAME,
  VIGIL_OTLP_GRPC_PORT,
  VIGIL_OTLP_HTTP_PORT,
  VIGIL_STATE_DIR,
  vigilUrl,
} from './vigil/endpoints.js';
export type { VigilObject, VigilOptions } from './vigil/manifests.js';
export { vigil } from './vigil/manifests.js';
export { configYaml, toYaml } from './yaml.js';
