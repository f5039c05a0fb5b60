import { diag } from '@opentelemetry/api';
import { detectLeak, forecastExhaustion } from '@vigil/detectors/maintenance';
import type { VigilConfig } from '../config/schema.js';
import type { ForecastEvent } from './forecast-event.js';
import { matchGlob } from './match-glob.js';

type CheckConfig = VigilConfig['maintenance'][number];

/** Reads the recent history of a series (the Pipeline's `history`). */
export type HistorySource = (
  key: string,
) => { timestamps: readonly number[]; values: readonly number[] } | undefined;

interface CheckState {
  since: number;
  firing: boolean;
  running: boolean;
}

/**
 * Runs the predictive-maintenance checks of `vigil.yaml` on the series they match: `exhaustion` (when a filling
 * resource reaches `capacity`, `forecastExhaustion`) and `leak` (a rising memory floor, `detectLeak`). Each check
 * runs every `every` new points of a series, off the push path, and reports a {@link ForecastEvent} when it starts
 * or stops holding.
 *
 * @example
 * const checks = new MaintenanceChecks(config.maintenance, (k) => pipeline.history(k), (f) => console.log(f.summary));
 * checks.onPoint('host/disk.used');
 */
export class MaintenanceChecks {
  readonly #checks: Array<CheckConfig & { test: (key: string) => boolean }>;
  readonly #history: HistorySource;
  readonly #emit: (f: ForecastEvent) => void;
  readonly #state = new Map<string, CheckState>();
  readonly #running = new Set<Promise<void>>();
  /** Checks run, and failed (too little data, flat series). */
  runs = 0;
  failures = 0;

  constructor(checks: readonly CheckConfig[], history: HistorySource, emit: (f: ForecastEvent) => void) {
    this.#checks = checks.map((c) => ({ ...c, test: matchGlob(c.match) }));
    this.#history = history;
    this.#emit = emit;
  }

  /** Counts a new point of `key`; runs the checks that match it when they are due. */
  onPoint(key: string): void {
    for (let i = 0; i < this.#checks.length; i++) {
      const check = this.#checks[i];
      if (!check.test(key)) continue;
      const id = `${i}:${key}`;
      let st = this.#state.get(id);
      if (!st) {
        st = { since: 0, firing: false, running: false };
        this.#state.set(id, st);
      }
      st.since++;
      if (st.since < check.every || st.running) continue;
      const h = this.#history(key);
      if (!h || h.timestamps.length < Math.min(check.window, 10)) continue;
      st.since = 0;
      st.running = true;
      const run = this.#run(check, key, h, st).finally(() => {
        st.running = false;
        this.#running.delete(run);
      });
      this.#running.add(run);
    }
  }

  /** Resolves when no check is running. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #run(
    check: CheckConfig,
    key: string,
    h: { timestamps: readonly number[]; values: readonly number[] },
    st: CheckState,
  ): Promise<void> {
    const n = h.timestamps.length;
    const from = Math.max(0, n - check.window);
    const series = { timestamps: h.timestamps.slice(from), values: h.values.slice(from) };
    const t = series.timestamps[series.timestamps.length - 1];
    const horizon = check.horizonSeconds * 1000;
    this.runs++;
    try {
      let holds: boolean;
      let eta: number | null;
      let confidence: number;
      let summary: string;
      if (check.type === 'exhaustion') {
        const f = await forecastExhaustion(series, { capacity: check.capacity!, horizon, name: key });
        holds = f.eta !== null && f.eta <= horizon;
        eta = f.time;
        // The share of the ETA interval (earliest, latest) that falls inside the horizon.
        const [lo, hi] = f.etaInterval;
        confidence = !holds
          ? 0
          : hi !== null && hi <= horizon
            ? 1
            : lo !== null && hi !== null && hi > lo
              ? Math.min(1, Math.max(0, (horizon - lo) / (hi - lo)))
              : 0.5;
        summary = f.summary;
      } else {
        const r = detectLeak(series, { name: key, ...(check.capacity ? { limit: check.capacity } : {}) });
        holds = r.leaking;
        eta = r.timeToLimit !== null ? t + r.timeToLimit : null;
        confidence = r.confidence;
        summary = r.summary;
      }
      if (holds !== st.firing) {
        st.firing = holds;
        this.#emit({
          seriesKey: key,
          check: check.type,
          state: holds ? 'firing' : 'resolved',
          t,
          eta,
          confidence,
          summary,
        });
      }
    } catch (e) {
      this.failures++;
      diag.debug(
        `vigil maintenance: ${check.type} on '${key}' not evaluated: ${String((e as Error).message ?? e)}`,
      );
    }
  }
}
