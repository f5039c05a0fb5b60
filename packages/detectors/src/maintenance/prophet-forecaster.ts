import { type Series, VigilInputError } from '@vigil/core';
import type { ProphetOptions } from '../prophet/options.js';
import { Prophet } from '../prophet/prophet.js';
import type { ForecastBand, SeasonalForecaster } from './seasonal-forecaster.js';

/**
 * Prophet as the maintenance functions' seasonal forecaster: pass it as the `forecaster` option of
 * `forecastExhaustion` or `planCapacity` to use Prophet's trend changepoints and Fourier seasonalities instead of
 * the robust default. Its band is Prophet's `intervalWidth` interval (default here 0.9, to match the default
 * forecaster's band).
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad Prophet options (at construction); `NOT_FITTED` from `predict`
 *   before `fit`.
 * @example
 * const plan = await planCapacity(cpu, { limit: 750, headroom: 0.2, horizon: 90 * DAY, forecaster: prophetForecaster() });
 */
export function prophetForecaster(options: ProphetOptions = {}): SeasonalForecaster {
  const resolved: ProphetOptions = { intervalWidth: 0.9, ...options };
  // Validates the options now rather than at the first fit.
  new Prophet(resolved);
  let model: Prophet | null = null;
  return {
    fit(series: Series): void {
      model = new Prophet(resolved).fit({ timestamps: series.timestamps, values: series.values });
    },
    predict(timestamps: Float64Array): ForecastBand {
      if (!model) {
        throw new VigilInputError(
          'NOT_FITTED',
          'prophetForecaster: predict() needs a fitted model; call fit(series) first.',
          { field: 'forecaster', fix: 'call fit(series) before predict(timestamps)' },
        );
      }
      const f = model.predict(timestamps);
      return {
        yhat: Float64Array.from(f.yhat),
        lower: Float64Array.from(f.yhatLower),
        upper: Float64Array.from(f.yhatUpper),
      };
    },
  };
}
