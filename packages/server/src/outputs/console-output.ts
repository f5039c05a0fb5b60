import type { AnomalyEvent, Incident, IncidentChange } from '@vigil/core';
import type { ForecastEvent } from '../serve/forecast-event.js';
import type { Output } from './output.js';

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

/**
 * One line per incident change and forecast on a stream (default stdout), for a person watching `vigil serve`.
 * Events are shown only as part of their incident, so a burst of anomalies is one line, not fifty.
 */
export class ConsoleOutput implements Output {
  readonly name = 'console';
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.#write = write;
  }

  onIncident(incident: Incident, change: IncidentChange): void {
    if (change === 'updated') return;
    const root = incident.rootCauses?.causes[0];
    const cause = root ? `; likely root: ${root.seriesKey}` : '';
    const series = incident.series.slice(0, 3).join(', ') + (incident.series.length > 3 ? ', …' : '');
    this.#write(
      change === 'opened'
        ? `${clock(incident.start)} INCIDENT ${incident.id} opened (${incident.severity}, score ${incident.peakScore.toFixed(3)}): ${series}${cause}`
        : `${clock(incident.end)} INCIDENT ${incident.id} closed after ${Math.round((incident.end - incident.start) / 1000)} s: ${incident.series.length} series`,
    );
  }

  onEvent(_event: AnomalyEvent, _change: 'open' | 'close'): void {}

  onForecast(f: ForecastEvent): void {
    this.#write(
      `${clock(f.t)} FORECAST ${f.state === 'firing' ? '' : 'cleared: '}${f.check} on ${f.seriesKey}: ${f.summary}`,
    );
  }
}
