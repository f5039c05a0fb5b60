import {
  checkNumberOption,
  type Detector,
  type DetectorSnapshot,
  type FitOptions,
  type FitProgress,
  loadDetector,
  type PointScore,
  type Scores,
  type SeriesLike,
  StreamGuard,
  sliceSeries,
  TailCalibrator,
  type TailCalibratorOptions,
  type TailCalibratorState,
  throwIfAborted,
  toSeries,
  VigilInputError,
} from '@vigil/core';
import { resolveThreshold } from '../common/threshold-option.js';
import { buildDetector } from '../factory-registry.js';
import { type CombineRule, combine, evidence, fitLogistic } from './combine.js';

/** A member given by kind and options (built with `createDetector`) and its weight. */
export interface EnsembleMemberSpec {
  readonly kind: string;
  readonly options?: object;
  /** Weight in the `mean`, `vote` rules. Default 1. */
  readonly weight?: number;
}

/** Options of {@link EnsembleDetector}. */
export interface EnsembleOptions {
  /**
   * The members: specs or already-constructed (unfitted) detectors. Default `mad` (window 48), `prophet`
   * (refitEvery 288) and `isolation-forest` (seed 1).
   */
  members?: ReadonlyArray<EnsembleMemberSpec | Detector<SeriesLike>>;
  /** How member scores are combined. Default `'mean'`. */
  combine?: CombineRule;
  /** Share of the training series used to calibrate the combination (members first fit on the rest). Default 0.4. */
  calibrationShare?: number;
  /** False-positive rate that sets the threshold. Default 1e-3. */
  targetFpr?: number;
  /** Explicit threshold in (0, 1); overrides `targetFpr`. */
  threshold?: number;
  /** Options of the calibrator of the combined statistic. */
  calibration?: TailCalibratorOptions;
}

/**
 * The recommended ensemble: a robust local baseline (rolling median/MAD), a seasonal model (Prophet, refitted daily on
 * 5-minute data and adapting its level after a regime change) and a multivariate view of the series' shape (isolation
 * forest over value, difference and rolling z-scores), averaged with equal weights. Chosen on a tuning corpus of
 * simulated failures generated with another seed than the accuracy benchmark's (bench/accuracy/tune-ensemble.ts,
 * bench/results/ensemble-tuning.json), where it beat each of its members on both F1 and the NAB-style window score.
 */
export const DEFAULT_ENSEMBLE_MEMBERS: readonly EnsembleMemberSpec[] = [
  { kind: 'mad', options: { window: 48 } },
  { kind: 'prophet', options: { refitEvery: 288 } },
  { kind: 'isolation-forest', options: { seed: 1 } },
];

interface EnsembleState {
  readonly members: DetectorSnapshot[];
  readonly weights: number[];
  readonly bias: number;
  readonly calibrator: TailCalibratorState;
  readonly lastTimestamp: number | null;
}

interface ResolvedEnsembleOptions {
  readonly combine: CombineRule;
  readonly calibrationShare: number;
  readonly threshold: number;
  readonly calibration: TailCalibratorOptions;
}

/** Snapshot format version of the ensemble. */
export const ENSEMBLE_SNAPSHOT_VERSION = 1;

/**
 * Combines any detectors' calibrated scores — weighted mean, max, weighted majority vote, or stacking (a logistic
 * regression learnt on labelled validation data with {@link EnsembleDetector.learnWeights}) — and calibrates the
 * combined statistic again, so the ensemble's score means what every score means: 1 − p on normal data.
 *
 * Fitting: members are fit on the first (1 − calibrationShare) of the training series and then score the rest out of
 * sample (streaming members learn it as they go; others are refit on all of it); the combined statistic on that
 * held-out part is what the ensemble's calibrator is fitted on.
 *
 * @throws {VigilInputError} `INVALID_OPTION` for bad options or unknown member kinds (`UNKNOWN_KIND`).
 * @example
 * const d = new EnsembleDetector({ members: [{ kind: 'mad' }, { kind: 'prophet' }], combine: 'max' });
 * await d.fit(train);
 * const { score } = await d.score(test);
 */
export class EnsembleDetector implements Detector<SeriesLike> {
  readonly kind = 'ensemble';
  readonly options: ResolvedEnsembleOptions;
  #members: Detector<SeriesLike>[];
  #weights: number[];
  #bias = 0;
  #calibrator: TailCalibrator | null = null;
  #guard = new StreamGuard('ensemble');
  readonly #e: Float64Array;
  readonly #votes: Float64Array;

  constructor(options: EnsembleOptions = {}) {
    const rule = options.combine ?? 'mean';
    if (!['mean', 'max', 'vote', 'stacking'].includes(rule)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `options.combine must be one of mean, max, vote, stacking; got ${String(rule)}.`,
        'options.combine',
      );
    }
    const specs = options.members ?? DEFAULT_ENSEMBLE_MEMBERS;
    if (specs.length === 0) {
      throw new VigilInputError(
        'INVALID_OPTION',
        'options.members needs at least one member.',
        'options.members',
      );
    }
    this.#members = specs.map((m) =>
      'fit' in m ? m : (buildDetector(m.kind, m.options as object | undefined) as Detector<SeriesLike>),
    );
    this.#weights = specs.map((m, i) =>
      checkNumberOption(`options.members[${i}].weight`, 'fit' in m ? 1 : (m.weight ?? 1), { min: 0 }),
    );
    this.options = {
      combine: rule,
      calibrationShare: checkNumberOption('options.calibrationShare', options.calibrationShare ?? 0.4, {
        min: 0.1,
        max: 0.9,
      }),
      threshold: resolveThreshold(options),
      calibration: { ...(options.calibration ?? {}) },
    };
    this.#e = new Float64Array(this.#members.length);
    this.#votes = new Float64Array(this.#members.length);
  }

  get threshold(): number {
    return this.options.threshold;
  }

  get fitted(): boolean {
    return this.#calibrator !== null;
  }

  /** The member detectors (fitted after `fit`). */
  get members(): readonly Detector<SeriesLike>[] {
    return this.#members;
  }

  /** Current combination weights (and the stacking intercept). */
  get weights(): { weights: readonly number[]; bias: number } {
    return { weights: [...this.#weights], bias: this.#bias };
  }

  /**
   * Fits the members and calibrates the combination on held-out training data. Each member's fit gets
   * `options.signal` and reports through `options.onProgress` as phase `member:<kind>` (the ensemble's `fraction`
   * spans all members).
   * @throws {VigilInputError} input errors; `TOO_SHORT` when the held-out part is under 50 points.
   * @throws {VigilAbortError} `ABORTED` when `options.signal` fired; the combination keeps its previous state but
   *   members fitted before the abort keep their new fit, so fit again before scoring.
   */
  async fit(train: SeriesLike, options: FitOptions = {}): Promise<void> {
    throwIfAborted(options.signal, 'ensemble fit');
    const s = toSeries(train, 'training series');
    const n = s.values.length;
    const cut = Math.floor(n * (1 - this.options.calibrationShare));
    if (n - cut < 50) {
      throw new VigilInputError(
        'TOO_SHORT',
        `The ensemble calibrates on the last ${Math.round(this.options.calibrationShare * 100)}% of the training data, which is ${n - cut} points here; it needs at least 50. Pass a longer series.`,
        'train',
      );
    }
    const head = sliceSeries(s, 0, cut);
    const tail = sliceSeries(s, cut, n);
    const memberScores = await this.#fitMembers(head, tail, s, options);
    const raw = this.#combineAll(memberScores, tail.values);
    this.#calibrator = TailCalibrator.fit(raw, this.options.calibration);
    this.#guard = new StreamGuard('ensemble', s.timestamps[n - 1]);
    const k = this.#members.length;
    options.onProgress?.({
      kind: 'ensemble',
      phase: 'done',
      done: k,
      total: k,
      fraction: 1,
      message: `fitted ${k} members and calibrated the combination`,
    });
  }

  /**
   * Stacking: learns combination weights from labelled validation data (1 = anomalous point) with a class-balanced
   * logistic regression on the members' evidence, then recalibrates on the normal points. Switches the rule to
   * `stacking`. The members are not changed.
   *
   * @throws {VigilInputError} `NOT_FITTED`; `LENGTH_MISMATCH` when labels and data differ in length; `INVALID_OPTION`
   *   when the labels hold no anomalous or no normal point.
   */
  async learnWeights(validation: SeriesLike, labels: ArrayLike<number>): Promise<void> {
    this.#requireFitted();
    const s = toSeries(validation, 'validation series', { duplicates: 'keep' });
    if (labels.length !== s.values.length) {
      throw new VigilInputError(
        'LENGTH_MISMATCH',
        `labels has ${labels.length} entries but the validation series has ${s.values.length}; give one 0/1 label per point.`,
        'labels',
      );
    }
    let pos = 0;
    for (let i = 0; i < labels.length; i++) pos += labels[i] ? 1 : 0;
    if (pos === 0 || pos === labels.length) {
      throw new VigilInputError(
        'INVALID_OPTION',
        'Stacking needs both anomalous (1) and normal (0) labelled points in the validation data.',
        'labels',
      );
    }
    const scores = await Promise.all(this.#members.map((m) => m.score(s)));
    const rows = Array.from({ length: s.values.length }, (_, i) =>
      Float64Array.from(scores, (sc) => evidence(sc.score[i])),
    );
    const fit = fitLogistic(rows, labels);
    (this as { options: ResolvedEnsembleOptions }).options = { ...this.options, combine: 'stacking' };
    this.#weights = fit.weights;
    this.#bias = fit.bias;
    const normal: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (labels[i] || Number.isNaN(s.values[i])) continue;
      normal.push(combine('stacking', rows[i], this.#votes, this.#weights, this.#bias));
    }
    this.#calibrator = TailCalibrator.fit(normal, this.options.calibration);
  }

  async score(data: SeriesLike): Promise<Scores> {
    const calibrator = this.#requireFitted();
    // One score per point, repeated timestamps included (as update gives).
    const s = toSeries(data, 'series', { duplicates: 'keep' });
    const memberScores = await Promise.all(this.#members.map((m) => m.score(s)));
    const raw = this.#combineAll(memberScores, s.values);
    const n = s.values.length;
    const score = new Float64Array(n);
    const isAnomaly = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = Number.isNaN(s.values[i]) ? 0 : calibrator.score(raw[i]);
      isAnomaly[i] = score[i] >= this.threshold ? 1 : 0;
    }
    const withBand = memberScores.find((m) => m.expected && m.lower && m.upper);
    return {
      score,
      isAnomaly,
      raw,
      expected: withBand?.expected,
      lower: withBand?.lower,
      upper: withBand?.upper,
    };
  }

  /**
   * Streaming: every member scores then learns the point; the ensemble combines. Requires members that stream.
   * @throws {VigilInputError} `NOT_FITTED`, or `INVALID_OPTION` when a member has no `update`.
   */
  update(t: number, x: number | ArrayLike<number>): PointScore {
    const calibrator = this.#requireFitted();
    const nonStreaming = this.#members.find((m) => !m.update);
    if (nonStreaming) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `Member '${nonStreaming.kind}' does not stream; use members with update() to stream the ensemble.`,
        'options.members',
      );
    }
    const verdict = this.#guard.admit(t, x);
    if (verdict === 'dropped') return { t, score: 0, isAnomaly: false, status: 'dropped' };
    let band: PointScore | undefined;
    let warmup = false;
    for (let k = 0; k < this.#members.length; k++) {
      const p = this.#members[k].update!(t, x);
      this.#e[k] = evidence(p.score);
      this.#votes[k] = p.isAnomaly ? 1 : 0;
      if (!band && p.upper !== undefined) band = p;
      if (p.status === 'warmup') warmup = true;
    }
    if (warmup && verdict === 'ok') return { t, score: 0, isAnomaly: false, status: 'warmup' };
    if (verdict === 'missing') return { t, score: 0, isAnomaly: false, status: 'missing' };
    const raw = combine(this.options.combine, this.#e, this.#votes, this.#weights, this.#bias);
    const score = calibrator.score(raw);
    return {
      t,
      score,
      isAnomaly: score >= this.threshold,
      status: 'scored',
      raw,
      expected: band?.expected,
      lower: band?.lower,
      upper: band?.upper,
    };
  }

  /** True when a member asks for a refit (see `Detector.needsRefit`); `update` never refits one itself. */
  get needsRefit(): boolean {
    return this.#members.some((m) => m.needsRefit === true);
  }

  /**
   * Refits the members that ask for it, each through its own `refit()` (members without one are refitted by the
   * owner fitting a fresh ensemble). The combination's weights and calibration stay.
   */
  async refit(): Promise<void> {
    for (const m of this.#members) {
      const own = (m as { refit?: () => Promise<void> }).refit;
      if (m.needsRefit === true && typeof own === 'function') await own.call(m);
    }
  }

  toJSON(): DetectorSnapshot<ResolvedEnsembleOptions, EnsembleState> {
    const calibrator = this.#requireFitted();
    const lastT = this.#guard.lastTimestamp;
    return {
      kind: this.kind,
      version: ENSEMBLE_SNAPSHOT_VERSION,
      options: { ...this.options },
      state: {
        members: this.#members.map((m) => m.toJSON()),
        weights: [...this.#weights],
        bias: this.#bias,
        calibrator: calibrator.toJSON(),
        lastTimestamp: Number.isFinite(lastT) ? lastT : null,
      },
    };
  }

  /** Restores an ensemble (and its members, through the detector registry) from {@link EnsembleDetector.toJSON}. */
  static fromJSON(snapshot: DetectorSnapshot): EnsembleDetector {
    const s = snapshot as DetectorSnapshot<ResolvedEnsembleOptions, EnsembleState>;
    if (!s.state || !Array.isArray(s.state.members) || !s.state.calibrator) {
      throw new VigilInputError(
        'INVALID_SNAPSHOT',
        'Malformed ensemble snapshot: state.members and state.calibrator are required.',
        'state',
      );
    }
    const members = s.state.members.map((m) => loadDetector<Detector<SeriesLike>>(m));
    const d = new EnsembleDetector({ ...s.options, members });
    d.#weights = [...s.state.weights];
    d.#bias = s.state.bias;
    d.#calibrator = TailCalibrator.fromJSON(s.state.calibrator);
    d.#guard = new StreamGuard('ensemble', s.state.lastTimestamp ?? Number.NEGATIVE_INFINITY);
    return d;
  }

  async #fitMembers(
    head: SeriesLike,
    tail: SeriesLike,
    all: SeriesLike,
    { signal, onProgress, keepHistory, streaming }: FitOptions,
  ): Promise<Scores[]> {
    const out: Scores[] = [];
    const tv = tail.values;
    const total = this.#members.length;
    for (const [k, m] of this.#members.entries()) {
      const phase = `member:${m.kind}`;
      // Each member's own progress, scaled into its share of the ensemble's fit.
      const memberProgress = onProgress
        ? (p: FitProgress) =>
            onProgress({
              kind: 'ensemble',
              phase,
              done: k,
              total,
              fraction: (0.95 * (k + p.fraction)) / total,
              message: `member ${k + 1}/${total} (${m.kind}): ${p.message}`,
            })
        : undefined;
      onProgress?.({
        kind: 'ensemble',
        phase,
        done: k,
        total,
        fraction: (0.95 * k) / total,
        message: `fitting member ${k + 1}/${total} (${m.kind})`,
      });
      await m.fit(head, { signal, onProgress: memberProgress, keepHistory, streaming });
      throwIfAborted(signal, 'ensemble fit');
      if (m.update) {
        const n = tv.length;
        const score = new Float64Array(n);
        const isAnomaly = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const p = m.update(tail.timestamps[i], tv[i]);
          score[i] = p.score;
          isAnomaly[i] = p.isAnomaly ? 1 : 0;
        }
        out.push({ score, isAnomaly });
      } else {
        out.push(await m.score(tail));
        await m.fit(all, { signal, keepHistory, streaming });
      }
    }
    return out;
  }

  #combineAll(memberScores: readonly Scores[], values: ArrayLike<number>): Float64Array {
    const n = values.length;
    const raw = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(values[i])) {
        raw[i] = Number.NaN;
        continue;
      }
      for (let k = 0; k < memberScores.length; k++) {
        this.#e[k] = evidence(memberScores[k].score[i]);
        this.#votes[k] = memberScores[k].isAnomaly[i];
      }
      raw[i] = combine(this.options.combine, this.#e, this.#votes, this.#weights, this.#bias);
    }
    return raw;
  }

  #requireFitted(): TailCalibrator {
    if (!this.#calibrator)
      throw new VigilInputError('NOT_FITTED', 'ensemble: call fit(train) before scoring.');
    return this.#calibrator;
  }
}
