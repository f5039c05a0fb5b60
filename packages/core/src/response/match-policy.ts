import { serviceOf } from '../rca/service-of.js';
import { globToRegExp } from './glob.js';
import type { PolicyMatch, Trigger } from './types.js';

const globs = (p: string | readonly string[] | undefined) =>
  p === undefined ? undefined : (typeof p === 'string' ? [p] : p).map(globToRegExp);

/**
 * True when every condition of `match` holds for the trigger. Incidents are matched while open (opened or
 * updated), never on close: an incident that is over calls for no action.
 *
 * @example
 * matchesPolicy({ severity: 'critical', series: 'checkout/*' }, { kind: 'incident', incident, change: 'opened' }, ['warning', 'critical']);
 */
export function matchesPolicy(
  match: PolicyMatch | undefined,
  trigger: Trigger,
  severityOrder: readonly string[],
): boolean {
  const m = match ?? {};
  const series = globs(m.series);
  if (trigger.kind === 'forecast') {
    const f = trigger.forecast;
    if (m.etaBelow !== undefined && !(f.eta !== null && f.eta <= m.etaBelow)) return false;
    if (series && !series.some((g) => g.test(f.seriesKey))) return false;
    if (m.severity !== undefined || m.rootCause !== undefined || m.minDuration !== undefined) return false;
    return true;
  }
  const { incident, change } = trigger;
  if (change === 'closed') return false;
  if (m.etaBelow !== undefined) return false;
  if (m.severity !== undefined) {
    const want = severityOrder.indexOf(m.severity);
    const have = severityOrder.indexOf(incident.severity);
    if (want < 0 || have < want) return false;
  }
  if (m.minDuration !== undefined && incident.end - incident.start < m.minDuration) return false;
  if (series && !incident.series.some((k) => series.some((g) => g.test(k)))) return false;
  const roots = globs(m.rootCause);
  if (roots) {
    const top = incident.rootCauses?.causes[0]?.seriesKey;
    if (!top || !roots.some((g) => g.test(top))) return false;
  }
  return true;
}

/** The series a trigger is mostly about: the incident's top root cause (else its first series), or the forecast's. */
export function subjectSeries(trigger: Trigger): string {
  if (trigger.kind === 'forecast') return trigger.forecast.seriesKey;
  return trigger.incident.rootCauses?.causes[0]?.seriesKey ?? trigger.incident.series[0] ?? '';
}

/** The service of {@link subjectSeries}. */
export function subjectService(trigger: Trigger): string {
  return serviceOf(subjectSeries(trigger));
}
