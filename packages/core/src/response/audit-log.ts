import { type Logger, logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { ResponseDecision } from './types.js';

/** Log attribute names of an audit record. */
export const AUDIT_ATTRIBUTES = {
  decision: 'vigil.response.decision',
  policy: 'vigil.response.policy',
  trigger: 'vigil.response.trigger',
  subject: 'vigil.response.subject',
  action: 'vigil.response.action',
  target: 'vigil.response.target',
  outcome: 'vigil.response.outcome',
  dryRun: 'vigil.response.dry_run',
} as const;

const SEVERITY: Record<ResponseDecision['outcome'], [SeverityNumber, string]> = {
  executed: [SeverityNumber.WARN, 'WARN'],
  'dry-run': [SeverityNumber.INFO, 'INFO'],
  failed: [SeverityNumber.ERROR, 'ERROR'],
  cooldown: [SeverityNumber.INFO, 'INFO'],
  'rate-limited': [SeverityNumber.WARN, 'WARN'],
  'hourly-limit': [SeverityNumber.WARN, 'WARN'],
  rejected: [SeverityNumber.INFO, 'INFO'],
  'no-executor': [SeverityNumber.ERROR, 'ERROR'],
};

/**
 * Writes each decision as an OpenTelemetry log record (event name `vigil.response.decision`) through
 * `@opentelemetry/api-logs`, so whatever logs SDK and exporter the host configures receives the audit trail;
 * without one the records go nowhere.
 *
 * @example
 * const audit = new AuditLog(); audit.record(decision);
 */
export class AuditLog {
  readonly #logger: Logger;

  constructor(logger: Logger = logs.getLogger('@vigil/core')) {
    this.#logger = logger;
  }

  /** Emits one record: the body is a sentence, the attributes carry every field. */
  record(d: ResponseDecision): void {
    const [severityNumber, severityText] = SEVERITY[d.outcome];
    this.#logger.emit({
      eventName: 'vigil.response.decision',
      timestamp: d.time,
      severityNumber,
      severityText,
      body: `${d.dryRun && d.outcome === 'dry-run' ? 'would ' : ''}${d.target}: ${d.outcome} (${d.detail}); because ${d.reason}`,
      attributes: {
        [AUDIT_ATTRIBUTES.decision]: d.id,
        [AUDIT_ATTRIBUTES.policy]: d.policy,
        [AUDIT_ATTRIBUTES.trigger]: d.trigger,
        [AUDIT_ATTRIBUTES.subject]: d.subject,
        [AUDIT_ATTRIBUTES.action]: d.action.type,
        [AUDIT_ATTRIBUTES.target]: d.target,
        [AUDIT_ATTRIBUTES.outcome]: d.outcome,
        [AUDIT_ATTRIBUTES.dryRun]: d.dryRun,
        'vigil.response.reason': d.reason,
        'vigil.response.detail': d.detail,
      },
    });
  }
}
