import { VigilAbortError } from '../errors.js';

/** Where a long fit is, reported through {@link FitOptions.onProgress}. */
export interface FitProgress {
  /** The detector kind that is fitting, e.g. `'lstm'`. */
  readonly kind: string;
  /** The step under way, e.g. `'train'` (LSTM epochs), `'map'` (Prophet's MAP fit), `'calibrate'`. */
  readonly phase: string;
  /** Units of the phase done so far, and their total (epochs, trees, ensemble members, …). */
  readonly done: number;
  readonly total: number;
  /** Share of the whole fit done, in [0, 1]; non-decreasing over one fit, 1 at the end. */
  readonly fraction: number;
  /** One line for a person, e.g. `'epoch 3/50, validation loss 0.0123'`. */
  readonly message: string;
}

/**
 * What a caller may pass to a long `fit`: a signal to stop it and a callback that hears how far it got.
 *
 * @example
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 10_000); // give up after 10 s
 * await detector.fit(train, { signal: controller.signal, onProgress: (p) => console.log(p.message) });
 */
export interface FitOptions {
  /** Stops the fit at its next check (between epochs or batches, trees, phases): it throws `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called as the fit advances; an exception thrown here aborts the fit. */
  readonly onProgress?: (progress: FitProgress) => void;
  /**
   * False when the caller keeps the series' history and refits from it (a Pipeline does): a detector that would
   * otherwise keep its own copy of the training and streamed points for `refit()` (Prophet keeps up to 20 000)
   * keeps none, so its memory and snapshots stay small. Default true.
   */
  readonly keepHistory?: boolean;
  /**
   * The fitted model will score a stream next, on another thread than the fit (a Pipeline's fits): a detector may
   * prepare at fit what `update` would otherwise compute per point — Prophet forecasts the regular steps up to its
   * next refit, so that streaming costs a lookup on the thread that streams instead of a simulation. Scores are the
   * same either way. Default false (the fit does only what scoring needs).
   */
  readonly streaming?: boolean;
}

/**
 * Throws {@link VigilAbortError} when `signal` has been aborted; `kind` names the work in the message.
 *
 * @throws {VigilAbortError} `ABORTED`, with the signal's reason as `cause`.
 * @example
 * for (const epoch of epochs) { throwIfAborted(options.signal, 'lstm fit'); train(epoch); }
 */
export function throwIfAborted(signal: AbortSignal | undefined, kind: string): void {
  if (signal?.aborted) {
    throw new VigilAbortError(`${kind} was aborted; the detector keeps its previous state.`, signal.reason);
  }
}

/**
 * Lets pending timers and I/O run (so that an `abort()` from a timer or a request can land), then checks the
 * signal. Long synchronous steps call it between steps.
 *
 * @throws {VigilAbortError} as {@link throwIfAborted}.
 */
export async function yieldAndCheck(signal: AbortSignal | undefined, kind: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  throwIfAborted(signal, kind);
}
