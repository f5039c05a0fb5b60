import type { AnomalyEvent } from '../alerting/alert-policy.js';
import type { RootCauseRanking } from '../rca/types.js';

/** A group of anomaly events, usually on several series, that started close together: one thing going wrong. */
export interface Incident {
  /** Stable id: `inc-<n>` in order of opening. */
  readonly id: string;
  /** Earliest event start, ms. */
  readonly start: number;
  /** Latest event end seen so far, ms. */
  readonly end: number;
  /** The events in the order they opened (latest state of each). */
  readonly events: readonly AnomalyEvent[];
  /** Keys of the series involved, in the order they joined. */
  readonly series: readonly string[];
  /** Highest peak score among the events. */
  readonly peakScore: number;
  /** Severity of that peak. */
  readonly severity: string;
  /** False once the incident has been quiet for the grouping window. */
  readonly open: boolean;
  /** Its series ranked by how likely each is the cause (set by the {@link Pipeline}; see `rankRootCauses`). */
  readonly rootCauses?: RootCauseRanking;
}

/** What happened to an incident. */
export type IncidentChange = 'opened' | 'updated' | 'closed';

interface MutableIncident {
  /** Keys of events still in progress: the incident stays open while any is. */
  active: Set<string>;
  id: string;
  start: number;
  end: number;
  events: Map<string, AnomalyEvent>;
  /** Series keys in the order they joined (a Set: joining is O(1) however many series an incident spans). */
  series: Set<string>;
  /** The event with the highest peak score (its latest state). */
  peak: AnomalyEvent;
  open: boolean;
}

const eventKey = (e: AnomalyEvent) => `${e.seriesKey}@${e.start}`;

/**
 * An {@link IncidentGrouper}'s open incidents and id counter, JSON-serializable (an event's NaN `observed` or
 * `expected` travels as null): restored, the grouper goes on with the same incidents and ids.
 */
export interface IncidentGrouperState {
  /** Incidents opened so far (the next id is `inc-<count + 1>`). */
  readonly count: number;
  readonly open: ReadonlyArray<{
    readonly id: string;
    readonly start: number;
    readonly end: number;
    readonly events: readonly AnomalyEvent[];
    /** Keys (`<seriesKey>@<start>`) of the events still in progress. */
    readonly active: readonly string[];
    readonly series: readonly string[];
  }>;
}

/** An event as it came back from JSON: null where it had NaN. */
function reviveEvent(e: AnomalyEvent): AnomalyEvent {
  return { ...e, observed: e.observed ?? Number.NaN, expected: e.expected ?? Number.NaN };
}

/**
 * Groups anomaly events into incidents: an event joins the open incident whose latest activity is within `window`
 * ms of the event's start, else opens a new one; an incident closes when none of its events is still in progress and
 * the stream's clock has moved `window` ms past its latest activity.
 *
 * Adding an event costs O(open incidents) bookkeeping; the listener's view of the incident (its events and series
 * copied) is built only when there is a listener.
 *
 * @example
 * const g = new IncidentGrouper(10 * 60_000, (incident, change) => console.log(change, incident.series));
 * g.add(event); g.advance(now);
 */
export class IncidentGrouper {
  readonly window: number;
  readonly #listener: ((incident: Incident, change: IncidentChange) => void) | undefined;
  readonly #open: MutableIncident[] = [];
  #count = 0;

  constructor(window: number, listener?: (incident: Incident, change: IncidentChange) => void) {
    this.window = window;
    this.#listener = listener;
  }

  /** Adds (or updates) an event; `inProgress` false once the event has closed. */
  add(event: AnomalyEvent, inProgress = false): void {
    const key = eventKey(event);
    let inc = this.#open.find((i) => i.events.has(key));
    let change: IncidentChange = 'updated';
    if (!inc) {
      inc = this.#open.find((i) => event.start - i.end <= this.window && i.start - event.end <= this.window);
      if (!inc) {
        inc = {
          id: `inc-${++this.#count}`,
          start: event.start,
          end: event.end,
          events: new Map(),
          series: new Set(),
          peak: event,
          open: true,
          active: new Set(),
        };
        this.#open.push(inc);
        change = 'opened';
      }
    }
    inc.events.set(key, event);
    if (inProgress) inc.active.add(key);
    else inc.active.delete(key);
    inc.series.add(event.seriesKey);
    // The highest peak is kept as events arrive; only a state that lowers the peak event's own score (an older state
    // arriving late) needs a scan.
    if (eventKey(inc.peak) !== key) {
      if (event.peakScore > inc.peak.peakScore) inc.peak = event;
    } else if (event.peakScore >= inc.peak.peakScore) inc.peak = event;
    else inc.peak = highestPeak(inc.events);
    inc.start = Math.min(inc.start, event.start);
    inc.end = Math.max(inc.end, event.end);
    this.#listener?.(freeze(inc), change);
  }

  /** Moves the clock to `now` (ms), closing incidents quiet for longer than the window. */
  advance(now: number): void {
    for (let k = this.#open.length - 1; k >= 0; k--) {
      const inc = this.#open[k];
      if (inc.active.size === 0 && now - inc.end > this.window) this.#close(k);
    }
  }

  /** Closes every open incident (at shutdown). */
  closeAll(): void {
    for (let k = this.#open.length - 1; k >= 0; k--) this.#close(k);
  }

  /** The incidents still open. */
  get openIncidents(): Incident[] {
    return this.#open.map(freeze);
  }

  /** The open incidents and the id counter, to {@link restore} them elsewhere (e.g. after a failover). */
  toJSON(): IncidentGrouperState {
    return {
      count: this.#count,
      open: this.#open.map((i) => ({
        id: i.id,
        start: i.start,
        end: i.end,
        events: [...i.events.values()],
        active: [...i.active],
        series: [...i.series],
      })),
    };
  }

  /** Replaces the open incidents and the id counter with a saved {@link toJSON} state; tells the listener nothing. */
  restore(state: IncidentGrouperState): void {
    this.#count = Number.isInteger(state.count) ? state.count : 0;
    this.#open.length = 0;
    for (const i of state.open ?? []) {
      const events = (i.events ?? []).map(reviveEvent);
      if (events.length === 0) continue;
      const byKey = new Map(events.map((e) => [eventKey(e), e]));
      this.#open.push({
        id: i.id,
        start: i.start,
        end: i.end,
        events: byKey,
        active: new Set(i.active),
        series: new Set(i.series),
        peak: highestPeak(byKey),
        open: true,
      });
    }
  }

  #close(k: number): void {
    const [inc] = this.#open.splice(k, 1);
    inc.open = false;
    this.#listener?.(freeze(inc), 'closed');
  }
}

function highestPeak(events: Map<string, AnomalyEvent>): AnomalyEvent {
  let peak: AnomalyEvent | undefined;
  for (const e of events.values()) if (!peak || e.peakScore > peak.peakScore) peak = e;
  return peak as AnomalyEvent;
}

function freeze(inc: MutableIncident): Incident {
  return {
    id: inc.id,
    start: inc.start,
    end: inc.end,
    events: [...inc.events.values()],
    series: [...inc.series],
    peakScore: inc.peak.peakScore,
    severity: inc.peak.severity,
    open: inc.open,
  };
}
