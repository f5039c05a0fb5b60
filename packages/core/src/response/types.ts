import type { Incident, IncidentChange } from '../pipeline/incidents.js';

/** A Kubernetes workload an action scales or restarts. */
export interface WorkloadTarget {
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Namespace; may use `{service}` and the other placeholders of {@link ResponsePolicy}. */
  readonly namespace: string;
  /** Name; may use placeholders, e.g. `'{service}'` for the top root cause's service. */
  readonly name: string;
}

/** POST the decision as JSON to a URL. */
export interface WebhookAction {
  readonly type: 'webhook';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up after this many ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** Add `step` replicas to a workload, never leaving `[min, max]`. */
export interface ScaleAction {
  readonly type: 'scale';
  readonly target: WorkloadTarget;
  /** Replicas to add (negative to remove). Default 1. */
  readonly step?: number;
  readonly min: number;
  readonly max: number;
}

/** Rolling restart of a workload (what `kubectl rollout restart` does). */
export interface RestartAction {
  readonly type: 'restart';
  readonly target: WorkloadTarget;
}

/** Run a local command (no shell); arguments may use placeholders. */
export interface ExecAction {
  readonly type: 'exec';
  readonly command: string;
  readonly args?: readonly string[];
  /** Kill it after this many ms. Default 30 000. */
  readonly timeoutMs?: number;
}

/** Every action a policy can take. */
export type ResponseAction = WebhookAction | ScaleAction | RestartAction | ExecAction;

/** A forecast that may call for action, e.g. `{ seriesKey, ...await forecastExhaustion(series, options) }`. */
export interface ForecastSignal {
  /** The series the forecast is about. */
  readonly seriesKey: string;
  /** Time until the resource runs out, ms (null: not within the horizon). */
  readonly eta: number | null;
  /** One sentence, e.g. "api heap reaches its limit in 3.2 h". */
  readonly summary?: string;
  /** When the forecast was made, ms. Default: the engine's clock. */
  readonly at?: number;
}

/** What a policy reacts to. */
export type Trigger =
  | { readonly kind: 'incident'; readonly incident: Incident; readonly change: IncidentChange }
  | { readonly kind: 'forecast'; readonly forecast: ForecastSignal };

/** When a policy applies; every condition given must hold. */
export interface PolicyMatch {
  /** Lowest severity, by the engine's `severityOrder` (incidents). */
  readonly severity?: string;
  /** Glob(s) (`*` any run of characters) on series keys: any of the incident's series, or the forecast's. */
  readonly series?: string | readonly string[];
  /** Glob(s) on the incident's top root-cause series. */
  readonly rootCause?: string | readonly string[];
  /** Shortest incident duration so far, ms. */
  readonly minDuration?: number;
  /** Forecasts whose ETA is at most this many ms. */
  readonly etaBelow?: number;
}

/**
 * One rule: on an incident or forecast that matches, take an action. Action fields may use placeholders:
 * `{service}` (the top root cause's service, or the forecast series' service), `{series}` (that series),
 * `{incident}` (the incident id).
 */
export interface ResponsePolicy {
  readonly name: string;
  readonly on: 'incident' | 'forecast';
  readonly match?: PolicyMatch;
  readonly action: ResponseAction;
  /** Quiet time per target after an action, ms. Default: the engine's `cooldown`. */
  readonly cooldown?: number;
  /** Ask the approval hook first. Default true when the engine has one. */
  readonly requireApproval?: boolean;
}

/**
 * What happened to one matched policy: `executed`, `dry-run` (planned only), `failed` (the executor threw),
 * or held back by a guardrail: `cooldown` (the target acted on recently), `rate-limited`, `hourly-limit`,
 * `rejected` (by the approval hook, or it timed out), `no-executor` (nothing registered for the action type).
 */
export type DecisionOutcome =
  | 'executed'
  | 'dry-run'
  | 'failed'
  | 'cooldown'
  | 'rate-limited'
  | 'hourly-limit'
  | 'rejected'
  | 'no-executor';

/** One decision, as written to the audit log. */
export interface ResponseDecision {
  /** `dec-<n>` in order. */
  readonly id: string;
  /** Engine clock when decided, ms. */
  readonly time: number;
  readonly policy: string;
  readonly trigger: 'incident' | 'forecast';
  /** The incident id or the forecast's series key. */
  readonly subject: string;
  /** The action with its placeholders filled in. */
  readonly action: ResponseAction;
  /** The action and its target in words, e.g. "scale Deployment shop/checkout by +1 within [2, 10]". */
  readonly target: string;
  /** Why, in words: the incident and its root cause, or the forecast's summary. */
  readonly reason: string;
  readonly outcome: DecisionOutcome;
  /** What the executor did or would do, or why the guardrail held. */
  readonly detail: string;
  readonly dryRun: boolean;
}

/**
 * Carries out one type of action. `plan` (optional, read-only) says what `execute` would do, for dry runs;
 * `execute` does it and returns what it did. Both may throw; the engine records `failed`.
 */
export interface ActionExecutor<A extends ResponseAction = ResponseAction> {
  readonly type: A['type'];
  plan?(action: A, decision: ResponseDecision): Promise<string>;
  execute(action: A, decision: ResponseDecision): Promise<string>;
}
