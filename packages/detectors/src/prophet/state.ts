import { VigilInputError } from '@vigil/core';
import type { MapFitInfo } from './map-types.js';
import { MAX_FOURIER_ORDER, MAX_HOLIDAY_WINDOW, MODES, type ResolvedProphetOptions } from './options.js';
import type { FeatureMode, FeatureSpec } from './seasonality.js';

/** What a fit learnt: scaling, changepoints, components and the MAP parameters (Prophet's `params`, scaled). */
export interface ProphetState {
  readonly start: number;
  readonly tScale: number;
  readonly yScale: number;
  /** Subtracted from y before scaling when there is no logistic floor (0 for absmax, min y for minmax). */
  readonly yMin: number;
  readonly logisticFloor: boolean;
  readonly changepoints: number[];
  readonly tChange: number[];
  readonly spec: FeatureSpec;
  readonly k: number;
  readonly m: number;
  readonly delta: number[];
  readonly sigmaObs: number;
  readonly beta: number[];
  readonly nObserved: number;
  readonly fitInfo: MapFitInfo;
}

/**
 * Checks a fitted state read from a snapshot — types, ranges and sizes — before anything is allocated from it, so
 * that a corrupted or hostile snapshot is a typed error rather than a process killed by a huge allocation
 * (`fourierOrder: 1e9`) or a forecast that never ends (`tScale: 0`). Sizes are bounded by the options the model
 * was restored with and must agree with each other: one β per feature column, one δ per changepoint.
 *
 * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the field (`state.spec.seasonalities[0].fourierOrder`) and the
 *   rule it breaks.
 * @example
 * checkProphetState(JSON.parse(text).state, model.options); // throws unless the state fits these options
 */
export function checkProphetState(s: unknown, o: ResolvedProphetOptions): asserts s is ProphetState {
  const bad = (field: string, rule: string): never => {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `Prophet snapshot: state.${field} ${rule}; save the model again with toJSON().`,
      { field: `state.${field}`, fix: 'restore a snapshot written by toJSON() of this version' },
    );
  };
  const finite = (field: string, v: unknown, rule?: { min?: number; above?: number; integer?: boolean }) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      return bad(field, `must be a finite number; got ${String(v)}`);
    if (rule?.integer && !Number.isInteger(v)) bad(field, `must be an integer; got ${v}`);
    if (rule?.min !== undefined && v < rule.min) bad(field, `must be >= ${rule.min}; got ${v}`);
    if (rule?.above !== undefined && !(v > rule.above)) bad(field, `must be > ${rule.above}; got ${v}`);
    return v;
  };
  const list = (field: string, v: unknown, max: number): unknown[] => {
    if (!Array.isArray(v)) return bad(field, 'must be an array');
    if (v.length > max) bad(field, `has ${v.length} entries; at most ${max} fit these options`);
    return v;
  };
  const numbers = (field: string, v: unknown, max: number) => {
    const a = list(field, v, max);
    for (let i = 0; i < a.length; i++) finite(`${field}[${i}]`, a[i]);
    return a as number[];
  };
  const mode = (field: string, v: unknown) => {
    if (!MODES.includes(v as FeatureMode))
      bad(field, `must be 'additive' or 'multiplicative'; got ${String(v)}`);
  };
  const name = (field: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') bad(field, 'must be a non-empty name');
  };

  if (s === null || typeof s !== 'object') return bad('', 'must be an object');
  const st = s as Record<string, unknown>;
  finite('start', st.start);
  finite('tScale', st.tScale, { above: 0 });
  finite('yScale', st.yScale, { above: 0 });
  finite('yMin', st.yMin);
  finite('k', st.k);
  finite('m', st.m);
  finite('sigmaObs', st.sigmaObs, { min: 0 });
  finite('nObserved', st.nObserved, { min: 2, integer: true });
  if (typeof st.logisticFloor !== 'boolean') bad('logisticFloor', 'must be true or false');

  // One changepoint per automatic or given changepoint, or the single dummy one at t = 0.
  const maxChanges = Math.max(1, o.nChangepoints, o.changepoints?.length ?? 0);
  const tChange = numbers('tChange', st.tChange, maxChanges);
  const changepoints = numbers('changepoints', st.changepoints, maxChanges);
  if (tChange.length === 0) bad('tChange', 'must hold at least one changepoint (0 when there are none)');
  if (changepoints.length !== tChange.length && !(changepoints.length === 0 && tChange.length === 1)) {
    bad('changepoints', `has ${changepoints.length} entries for ${tChange.length} scaled changepoints`);
  }
  for (let i = 0; i < tChange.length; i++) {
    if (tChange[i] < 0 || tChange[i] > 1 || (i > 0 && tChange[i] < tChange[i - 1])) {
      bad(`tChange[${i}]`, `must be increasing scaled times in [0, 1]; got ${tChange[i]}`);
    }
  }
  const delta = numbers('delta', st.delta, maxChanges);
  if (delta.length !== tChange.length)
    bad('delta', `has ${delta.length} entries for ${tChange.length} changepoints`);

  const spec = st.spec as Record<string, unknown> | null;
  if (spec === null || typeof spec !== 'object') return bad('spec', 'must be an object');
  // Component counts are bounded by the options (three built-in seasonalities besides the custom ones).
  let width = 0;
  const seasonalities = list('spec.seasonalities', spec.seasonalities, o.seasonalities.length + 3);
  seasonalities.forEach((x, i) => {
    const f = `spec.seasonalities[${i}]`;
    const e = (x ?? {}) as Record<string, unknown>;
    name(`${f}.name`, e.name);
    finite(`${f}.period`, e.period, { above: 0 });
    const order = finite(`${f}.fourierOrder`, e.fourierOrder, { min: 1, integer: true });
    if (order > MAX_FOURIER_ORDER) bad(`${f}.fourierOrder`, `must be <= ${MAX_FOURIER_ORDER}; got ${order}`);
    finite(`${f}.priorScale`, e.priorScale, { above: 0 });
    mode(`${f}.mode`, e.mode);
    width += 2 * order;
  });
  const holidays = list('spec.holidays', spec.holidays, o.holidays.length);
  holidays.forEach((x, i) => {
    const f = `spec.holidays[${i}]`;
    const e = (x ?? {}) as Record<string, unknown>;
    name(`${f}.name`, e.name);
    numbers(`${f}.days`, e.days, o.holidays[i].dates.length);
    const lower = finite(`${f}.lowerWindow`, e.lowerWindow, { min: -MAX_HOLIDAY_WINDOW, integer: true });
    const upper = finite(`${f}.upperWindow`, e.upperWindow, { min: 0, integer: true });
    if (lower > 0) bad(`${f}.lowerWindow`, `must be <= 0; got ${lower}`);
    if (upper > MAX_HOLIDAY_WINDOW) bad(`${f}.upperWindow`, `must be <= ${MAX_HOLIDAY_WINDOW}; got ${upper}`);
    finite(`${f}.priorScale`, e.priorScale, { above: 0 });
    mode(`${f}.mode`, e.mode);
    width += upper - lower + 1;
  });
  const regressors = list('spec.regressors', spec.regressors, o.regressors.length);
  regressors.forEach((x, i) => {
    const f = `spec.regressors[${i}]`;
    const e = (x ?? {}) as Record<string, unknown>;
    name(`${f}.name`, e.name);
    finite(`${f}.priorScale`, e.priorScale, { above: 0 });
    finite(`${f}.mu`, e.mu);
    finite(`${f}.std`, e.std, { above: 0 });
    mode(`${f}.mode`, e.mode);
    width += 1;
  });
  // featureLayout keeps one dummy column when there are no components.
  const beta = numbers('beta', st.beta, Math.max(1, width));
  if (beta.length !== Math.max(1, width)) {
    bad('beta', `has ${beta.length} entries for the ${Math.max(1, width)} feature columns of its components`);
  }
}
