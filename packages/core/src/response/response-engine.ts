import { diag } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { checkNumberOption, VigilInputError } from '../errors.js';
import type { Incident, IncidentChange } from '../pipeline/incidents.js';
import { formatDuration } from '../rca/format-duration.js';
import { AuditLog } from './audit-log.js';
import { describeAction, targetKey } from './describe-action.js';
import { fillPlaceholders } from './fill-placeholders.js';
import { matchesPolicy, subjectSeries, subjectService } from './match-policy.js';
import { SlidingWindowLimit } from './sliding-window-limit.js';
import { TokenBucket } from './token-bucket.js';
import type {
  ActionExecutor,
  DecisionOutcome,
  ForecastSignal,
  ResponseDecision,
  ResponsePolicy,
  Trigger,
} from './types.js';
import { validatePolicies } from './validate-policies.js';

/** Options of a {@link ResponseEngine}. */
export interface ResponseEngineOptions {
  readonly policies: readonly ResponsePolicy[];
  /** Who carries out each action type (`@vigil/server` has webhook, Kubernetes scale/restart and exec). */
  readonly executors?: readonly ActionExecutor[];
  /** Plan only, change nothing. Default true: acting must be switched on. */
  readonly dryRun?: boolean;
  /** Quiet time per target after an action, ms. Default 15 minutes. */
  readonly cooldown?: number;
  /** Token bucket over all actions: `burst` at once, refilled at `perMinute`. Default 3 and 1. */
  readonly rateLimit?: { readonly burst: number; readonly perMinute: number };
  /** Most actions in any hour. Default 20. */
  readonly maxActionsPerHour?: number;
  /** Asked before each action (not in dry-run); false, a throw or no answer in `approvalTimeout` rejects it. */
  readonly approve?: (decision: ResponseDecision) => boolean | Promise<boolean>;
  /** Ms to wait for an approval. Default 5 minutes. */
  readonly approvalTimeout?: number;
  /** Severity names from lowest to highest, for `match.severity`. Default `['warning', 'critical']`. */
  readonly severityOrder?: readonly string[];
  /** Audit logger. Default `logs.getLogger('@vigil/core')` from `@opentelemetry/api-logs`. */
  readonly logger?: Logger;
  /** Called with every decision, after it is logged. */
  readonly onDecision?: (decision: ResponseDecision) => void;
  /** Decisions kept in `decisions` (the oldest are dropped; the audit log has them all). Default 1000. */
  readonly keepDecisions?: number;
  /** The engine's clock, ms; guardrails count time on it. Default `Date.now()`; replays pass the data's time. */
  readonly clock?: (trigger: Trigger) => number;
}

type Reservation = { at: number; token: boolean; targetKey: string; previousCooldown: number | undefined };

/**
 * Turns incidents and forecasts into guarded actions. Each policy that matches a trigger yields one decision
 * (once per incident, however often the incident grows), checked in order against the target's cooldown, the
 * hourly cap and the rate limit, then the approval hook, then planned (dry-run, the default) or executed. Every
 * decision, including the ones a guardrail held back, goes to the audit log (OpenTelemetry logs) and
 * `onDecision`. Guardrails are reserved before any await, so a storm of concurrent incidents cannot overrun
 * them; dry runs count against them too, so a dry run shows what acting would do.
 *
 * The engine does no I/O itself: executors do (see `@vigil/server`'s actions).
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad policies or options (at construction).
 * @example
 * const engine = new ResponseEngine({ policies, executors: kubernetesExecutors(), dryRun: false });
 * const pipeline = new Pipeline({ createDetector, onIncident: (i, c) => void engine.handleIncident(i, c) });
 */
export class ResponseEngine {
  readonly dryRun: boolean;
  readonly #policies: readonly ResponsePolicy[];
  readonly #executors = new Map<string, ActionExecutor>();
  readonly #cooldown: number;
  readonly #bucket: TokenBucket;
  readonly #hourly: SlidingWindowLimit;
  readonly #approvalTimeout: number;
  readonly #severityOrder: readonly string[];
  readonly #audit: AuditLog;
  readonly #options: ResponseEngineOptions;
  /** Target key → time its cooldown ends. */
  readonly #quietUntil = new Map<string, number>();
  /** `policy\0incident` pairs already decided. */
  readonly #decided = new Set<string>();
  readonly #log: ResponseDecision[] = [];
  readonly #keep: number;
  #count = 0;

  constructor(options: ResponseEngineOptions) {
    validatePolicies(options?.policies);
    this.#policies = options.policies;
    for (const e of options.executors ?? []) {
      if (typeof e?.execute !== 'function' || typeof e.type !== 'string') {
        throw new VigilInputError(
          'INVALID_OPTION',
          'Each executor needs a type and an execute() method.',
          'executors',
        );
      }
      this.#executors.set(e.type, e);
    }
    this.dryRun = options.dryRun ?? true;
    this.#cooldown = checkNumberOption('options.cooldown', options.cooldown ?? 15 * 60_000, { min: 0 });
    const rate = options.rateLimit ?? { burst: 3, perMinute: 1 };
    this.#bucket = new TokenBucket(
      checkNumberOption('options.rateLimit.burst', rate.burst, { min: 1, integer: true }),
      checkNumberOption('options.rateLimit.perMinute', rate.perMinute, { min: 0, exclusiveMin: true }),
    );
    this.#hourly = new SlidingWindowLimit(
      checkNumberOption('options.maxActionsPerHour', options.maxActionsPerHour ?? 20, {
        min: 1,
        integer: true,
      }),
      3_600_000,
    );
    this.#approvalTimeout = checkNumberOption('options.approvalTimeout', options.approvalTimeout ?? 300_000, {
      min: 0,
    });
    this.#severityOrder = options.severityOrder ?? ['warning', 'critical'];
    this.#audit = new AuditLog(options.logger);
    this.#keep = checkNumberOption('options.keepDecisions', options.keepDecisions ?? 1000, {
      min: 0,
      integer: true,
    });
    this.#options = options;
  }

  /** The latest decisions (up to `keepDecisions`), oldest first. */
  get decisions(): readonly ResponseDecision[] {
    return this.#log;
  }

  /** Reacts to an incident change (pass the Pipeline's `onIncident` arguments); resolves to its decisions. */
  handleIncident(incident: Incident, change: IncidentChange): Promise<ResponseDecision[]> {
    return this.handle({ kind: 'incident', incident, change });
  }

  /** Reacts to a forecast, e.g. `{ seriesKey, ...await forecastExhaustion(series, options) }`. */
  handleForecast(forecast: ForecastSignal): Promise<ResponseDecision[]> {
    return this.handle({ kind: 'forecast', forecast });
  }

  /** Reacts to a trigger. Never throws: failures become decisions with outcome `failed`. */
  async handle(trigger: Trigger): Promise<ResponseDecision[]> {
    const pending: Array<Promise<ResponseDecision>> = [];
    if (trigger.kind === 'incident' && trigger.change === 'closed') {
      // A closed incident never matches again: forget it, so a long-running service keeps no per-incident state.
      for (const policy of this.#policies) this.#decided.delete(`${policy.name}\u0000${trigger.incident.id}`);
      return [];
    }
    for (const policy of this.#policies) {
      if (policy.on !== trigger.kind || !matchesPolicy(policy.match, trigger, this.#severityOrder)) continue;
      const subject = trigger.kind === 'incident' ? trigger.incident.id : trigger.forecast.seriesKey;
      if (trigger.kind === 'incident') {
        const key = `${policy.name}\u0000${subject}`;
        if (this.#decided.has(key)) continue;
        this.#decided.add(key);
      }
      pending.push(this.#decide(policy, trigger, subject));
    }
    return Promise.all(pending);
  }

  async #decide(policy: ResponsePolicy, trigger: Trigger, subject: string): Promise<ResponseDecision> {
    const now = this.#now(trigger);
    const action = fillPlaceholders(policy.action, {
      service: subjectService(trigger),
      series: subjectSeries(trigger),
      incident: trigger.kind === 'incident' ? trigger.incident.id : '',
    });
    const base = {
      id: `dec-${++this.#count}`,
      time: now,
      policy: policy.name,
      trigger: trigger.kind,
      subject,
      action,
      target: describeAction(action),
      reason: reasonOf(trigger),
      dryRun: this.dryRun,
    };
    const finish = (outcome: DecisionOutcome, detail: string): ResponseDecision => {
      const d: ResponseDecision = { ...base, outcome, detail };
      this.#log.push(d);
      if (this.#log.length > this.#keep) this.#log.splice(0, this.#log.length - this.#keep);
      try {
        this.#audit.record(d);
        this.#options.onDecision?.(d);
      } catch (e) {
        diag.error(`vigil response: recording decision ${d.id} failed: ${String(e)}`);
      }
      return d;
    };

    // Guardrails, all taken synchronously so concurrent triggers see each other's reservations.
    const key = targetKey(action);
    if (this.#quietUntil.size > 1000)
      for (const [k, until] of this.#quietUntil) if (until <= now) this.#quietUntil.delete(k);
    const quiet = this.#quietUntil.get(key);
    if (quiet !== undefined && now < quiet) {
      return finish(
        'cooldown',
        `${base.target} acted on recently; quiet for ${formatDuration(quiet - now)} more`,
      );
    }
    if (!this.#hourly.tryAdd(now)) {
      return finish('hourly-limit', `already ${this.#hourly.max} actions in the last hour`);
    }
    if (!this.#bucket.take(now)) {
      this.#hourly.remove(now);
      return finish(
        'rate-limited',
        `rate limit of ${this.#bucket.perMinute}/min (burst ${this.#bucket.burst}) reached`,
      );
    }
    const reservation: Reservation = { at: now, token: true, targetKey: key, previousCooldown: quiet };
    this.#quietUntil.set(key, now + (policy.cooldown ?? this.#cooldown));
    const release = () => {
      this.#hourly.remove(reservation.at);
      if (reservation.token) this.#bucket.refund();
      if (reservation.previousCooldown === undefined) this.#quietUntil.delete(reservation.targetKey);
      else this.#quietUntil.set(reservation.targetKey, reservation.previousCooldown);
    };

    const executor = this.#executors.get(action.type);
    if (this.dryRun) {
      let plan = `would ${base.target}`;
      if (executor?.plan) {
        try {
          plan = await executor.plan(action as never, { ...base, outcome: 'dry-run', detail: '' });
        } catch (e) {
          plan = `would ${base.target} (planning failed: ${(e as Error).message ?? String(e)})`;
        }
      }
      return finish('dry-run', plan);
    }
    if (!executor) {
      release();
      return finish('no-executor', `no executor registered for '${action.type}' actions`);
    }
    if (this.#options.approve && policy.requireApproval !== false) {
      const approved = await this.#ask({ ...base, outcome: 'rejected', detail: 'awaiting approval' });
      if (approved !== true) {
        release();
        return finish('rejected', approved === false ? 'the approval hook said no' : approved);
      }
    }
    try {
      return finish(
        'executed',
        await executor.execute(action as never, { ...base, outcome: 'executed', detail: '' }),
      );
    } catch (e) {
      // The cooldown stays: retrying a failing action against the same target at once rarely helps.
      return finish('failed', (e as Error).message ?? String(e));
    }
  }

  /** True, false, or why there was no answer. */
  async #ask(d: ResponseDecision): Promise<boolean | string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no approval within ${formatDuration(this.#approvalTimeout)}`),
        this.#approvalTimeout,
      );
    });
    try {
      return await Promise.race([
        Promise.resolve(this.#options.approve!(d)).then((ok) => ok === true),
        timeout,
      ]);
    } catch (e) {
      return `the approval hook failed: ${(e as Error).message ?? String(e)}`;
    } finally {
      clearTimeout(timer);
    }
  }

  #now(trigger: Trigger): number {
    try {
      const t = this.#options.clock ? this.#options.clock(trigger) : Date.now();
      return Number.isFinite(t) ? t : Date.now();
    } catch {
      return Date.now();
    }
  }
}

/** Why a trigger calls for action, in words. */
function reasonOf(trigger: Trigger): string {
  if (trigger.kind === 'forecast') {
    const f = trigger.forecast;
    return (
      f.summary ?? `${f.seriesKey} runs out in ${f.eta === null ? 'no time known' : formatDuration(f.eta)}`
    );
  }
  const i = trigger.incident;
  const cause = i.rootCauses?.summary ?? `series ${i.series.join(', ')}`;
  return `${i.severity} incident ${i.id} on ${i.series.length} series: ${cause}`;
}
