import type { AnomalyEvent, Incident, IncidentChange } from '@vigil/core';
import type { ForecastEvent } from '../serve/forecast-event.js';

/** A destination for what `vigil serve` finds. Every method is optional and must not throw. */
export interface Output {
  readonly name: string;
  onEvent?(event: AnomalyEvent, change: 'open' | 'close'): void;
  onIncident?(incident: Incident, change: IncidentChange): void;
  onForecast?(forecast: ForecastEvent): void;
  /** Sends what is queued and releases resources. */
  shutdown?(): Promise<void>;
}
