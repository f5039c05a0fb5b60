import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@opentelemetry/api-logs';
import {
  type ActionExecutor,
  type ResponseDecision,
  ResponseEngine,
  type ResponsePolicy,
  type Trigger,
} from '@vigil/core';
import type { VigilConfig } from '../config/schema.js';
import { execExecutor } from './exec.js';
import { kubernetesRestartExecutor, kubernetesScaleExecutor } from './kubernetes.js';
import { webhookExecutor } from './webhook.js';

/** What the `actions` section cannot say: hooks and clients from code. */
export interface ResponseEngineExtras {
  /** Replaces the default executors (webhook, Kubernetes scale and restart, exec). */
  readonly executors?: readonly ActionExecutor[];
  readonly approve?: (decision: ResponseDecision) => boolean | Promise<boolean>;
  readonly logger?: Logger;
  readonly onDecision?: (decision: ResponseDecision) => void;
  readonly clock?: (trigger: Trigger) => number;
  /** Overrides `actions.kubernetes`. */
  readonly kubeConfig?: KubeConfig;
}

/** The Kubernetes client configuration the `actions.kubernetes` section names (loaded only when first used). */
export function kubeConfigFrom(section: VigilConfig['actions']['kubernetes']): KubeConfig {
  const kc = new KubeConfig();
  if (section.kubeconfig) kc.loadFromFile(section.kubeconfig);
  else kc.loadFromDefault();
  if (section.context) kc.setCurrentContext(section.context);
  return kc;
}

/**
 * The default executors: webhook, Kubernetes scale and restart (through `@kubernetes/client-node`, with the
 * cluster configuration loaded on first use), and exec.
 */
export function defaultExecutors(kubeConfig?: () => KubeConfig): ActionExecutor[] {
  let kc: KubeConfig | undefined;
  const lazy = {
    get kubeConfig() {
      return (kc ??= kubeConfig ? kubeConfig() : kubeConfigFrom({}));
    },
  };
  return [
    webhookExecutor(),
    kubernetesScaleExecutor(lazy),
    kubernetesRestartExecutor(lazy),
    execExecutor(),
  ] as ActionExecutor[];
}

/**
 * A {@link ResponseEngine} from `vigil.yaml`'s `actions` section (durations there are in ms with an `Ms` suffix).
 *
 * @throws {VigilInputError} `INVALID_OPTION` for policies the engine rejects.
 * @example
 * const engine = createResponseEngine(config.actions);
 * const pipeline = new Pipeline({ createDetector, onIncident: (i, c) => void engine.handleIncident(i, c) });
 */
export function createResponseEngine(
  section: VigilConfig['actions'],
  extras: ResponseEngineExtras = {},
): ResponseEngine {
  const policies: ResponsePolicy[] = section.policies.map((p) => ({
    name: p.name,
    on: p.on,
    match: p.match && {
      severity: p.match.severity,
      series: p.match.series,
      rootCause: p.match.rootCause,
      minDuration: p.match.minDurationMs,
      etaBelow: p.match.etaBelowMs,
    },
    action: p.action,
    cooldown: p.cooldownMs,
    requireApproval: p.requireApproval,
  }));
  return new ResponseEngine({
    policies,
    executors:
      extras.executors ?? defaultExecutors(() => extras.kubeConfig ?? kubeConfigFrom(section.kubernetes)),
    dryRun: section.dryRun,
    cooldown: section.cooldownMs,
    rateLimit: section.rateLimit,
    maxActionsPerHour: section.maxActionsPerHour,
    approvalTimeout: section.approvalTimeoutMs,
    approve: extras.approve,
    logger: extras.logger,
    onDecision: extras.onDecision,
    clock: extras.clock,
  });
}
