import { RollingWindow } from '../statistical/rolling-window.js';
import { logNormalTail } from '../stats/log-normal-tail.js';

const LN2 = Math.LN2;

/**
 * Work buffers every distribution's refresh borrows (one thread runs a refresh at a time, start to end): the window
 * copied out, and the merge's output. Grown on demand, never shrunk.
 */
let scratch: Float64Array = new Float64Array(0);
let mergeOut: Float64Array = new Float64Array(0);

function borrow(buffer: Float64Array, size: number): Float64Array {
  return buffer.length >= size ? buffer : new Float64Array(Math.max(size, 2 * buffer.length));
}

/** Fewest values before a distribution judges anything (surprise 0 before). */
export const MIN_DISTRIBUTION_SIZE = 10;

/** The part of a {@link RecentDistribution} a snapshot stores; the distribution is rebuilt from it exactly. */
export interface RecentDistributionState {
  /** The held values, oldest first (up to memory + refreshEvery of them). */
  readonly values: number[];
  /** Values pushed since the last refresh (the newest ones, not yet part of the distribution). */
  readonly sinceRefresh: number;
}

/**
 * The recent distribution of one view of a series — the last `memory` values as of the latest refresh (every
 * `refreshEvery` values), sorted, with their mean and standard deviation — and how surprising a new value is under it.
 *
 * `surprise(v)` is −log10 p, where p is the two-sided tail probability of v taken as the larger (the more
 * forgiving) of two estimates: the empirical tail 2·min(#{≥ v} + 1, #{≤ v} + 1)/(n + 1), which knows how often values
 * like v have really occurred (spikes a series has shown before are not news), and the Gaussian tail
 * 2·Q(|v − mean|/sd). Beyond the observed range the empirical estimate has nothing to count, so it continues from its
 * floor 2/(n + 1) at the range's edge with the Gaussian decay: p = 2/(n + 1) · Q(z_v)/Q(z_edge). A value must be
 * both rare by count and far by spread to surprise; a new extreme far past anything seen surprises most.
 *
 * Refreshing in steps rather than after every value is deliberate as well as cheaper: values arriving within one
 * step are judged against the same reference, so the second point of a new regime is not excused by the first
 * (measured in bench/nab: better than a distribution updated at every point).
 *
 * @example
 * const d = new RecentDistribution(1000, 50);
 * for (const x of history) d.push(x);
 * d.surprise(x) >= 4; // p <= 1e-4
 */
export class RecentDistribution {
  readonly #memory: number;
  readonly #refreshEvery: number;
  /** The last memory + refreshEvery values: the distribution of the latest refresh, and what left it since. */
  readonly #window: RollingWindow;
  /** The distribution's values, sorted, in the first #n places; grows as the distribution does, up to memory. */
  #sorted: Float64Array = new Float64Array(0);
  /** Ring positions [start, end) of the distribution's values at the last refresh, and the ring's slide since. */
  #start = 0;
  #end = 0;
  #slid = 0;
  #n = 0;
  #mean = 0;
  #sd = 1e-300;
  #sinceRefresh = 0;
  #refreshes = 0;

  /**
   * @param memory - values the distribution holds.
   * @param refreshEvery - values between refreshes.
   * @param state - a saved state ({@link toJSON}).
   * @throws {RangeError} when `state.sinceRefresh` does not fit `state.values` (the caller wraps it in a typed error).
   */
  constructor(memory: number, refreshEvery: number, state?: RecentDistributionState) {
    this.#memory = memory;
    this.#refreshEvery = refreshEvery;
    this.#window = new RollingWindow(memory + refreshEvery, state?.values ?? []);
    const since = state?.sinceRefresh ?? 0;
    if (!Number.isInteger(since) || since < 0 || since >= refreshEvery || since > this.#window.size) {
      throw new RangeError(
        `sinceRefresh ${since} does not fit ${this.#window.size} values and refreshEvery ${refreshEvery}`,
      );
    }
    this.#refresh(since);
  }

  /** Number of values in the distribution. */
  get size(): number {
    return this.#n;
  }

  /** Refreshes since construction: a cache of anything derived from the distribution is valid while it is unchanged. */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** Mean of the distribution. */
  get mean(): number {
    return this.#mean;
  }

  /** Standard deviation of the distribution. */
  get sd(): number {
    return this.#sd;
  }

  /** Learns a value (finite values only; the caller screens the rest). */
  push(v: number): void {
    if (this.#window.size === this.#window.capacity) this.#slid++;
    this.#window.push(v);
    if (++this.#sinceRefresh >= this.#refreshEvery || this.#n < MIN_DISTRIBUTION_SIZE) this.#refresh(0);
  }

  /**
   * −log10 of the two-sided tail probability of `v` (0 until {@link MIN_DISTRIBUTION_SIZE} values are held).
   * `minSd`: the smallest standard deviation the spread part takes (the distribution's own when that is larger).
   */
  surprise(v: number, minSd = 0): number {
    const s = this.#sorted;
    const n = this.#n;
    if (n < MIN_DISTRIBUTION_SIZE) return 0;
    const sd = Math.max(this.#sd, minSd);
    const z = Math.abs(v - this.#mean) / sd;
    const logGauss = Math.min(0, LN2 + logNormalTail(z));
    let logEmpirical: number;
    const floor = Math.log(2 / (n + 1));
    if (v > s[n - 1]) {
      logEmpirical = floor + logNormalTail(z) - logNormalTail(Math.max(0, s[n - 1] - this.#mean) / sd);
    } else if (v < s[0]) {
      logEmpirical = floor + logNormalTail(z) - logNormalTail(Math.max(0, this.#mean - s[0]) / sd);
    } else {
      const atLeast = n - lowerBound(s, n, v);
      const atMost = upperBound(s, n, v);
      logEmpirical = Math.min(0, Math.log((2 * (Math.min(atLeast, atMost) + 1)) / (n + 1)));
    }
    const logP = Math.max(logGauss, logEmpirical);
    return logP >= 0 ? 0 : -logP / Math.LN10;
  }

  /**
   * The interval of values whose surprise stays below `surprise` (the band a detector draws), found by bisection on
   * each side of the median; `[NaN, NaN]` before the distribution is ready.
   */
  band(surprise: number): [number, number] {
    const s = this.#sorted;
    const n = this.#n;
    if (n < MIN_DISTRIBUTION_SIZE) return [Number.NaN, Number.NaN];
    const median = s[n >> 1];
    const reach = Math.max(s[n - 1] - s[0], this.#sd) * 64 + this.#sd;
    return [this.#edge(median, median - reach, surprise), this.#edge(median, median + reach, surprise)];
  }

  toJSON(): RecentDistributionState {
    return { values: this.#window.toArray(), sinceRefresh: this.#sinceRefresh };
  }

  #edge(inside: number, outside: number, surprise: number): number {
    if (this.surprise(outside) < surprise) return outside;
    let a = inside;
    let b = outside;
    for (let i = 0; i < 60; i++) {
      const m = 0.5 * (a + b);
      if (this.surprise(m) >= surprise) b = m;
      else a = m;
    }
    return b;
  }

  /**
   * Rebuilds the distribution from the latest `memory` values, leaving out the newest `skipNewest`: by a full sort
   * when restoring or warming up, otherwise by merging — the values that left the memory come out and the values
   * pushed since the last refresh go in, O(memory) instead of a sort.
   */
  #refresh(skipNewest: number): void {
    scratch = borrow(scratch, this.#window.size);
    const total = this.#window.copyTo(scratch);
    const end = total - skipNewest;
    const start = Math.max(0, end - this.#memory);
    // Positions count from the oldest value held; the ring has slid by #slid values since the last refresh.
    const oldStart = this.#start - this.#slid;
    const oldEnd = this.#end - this.#slid;
    if (this.#n > 0 && oldStart >= 0 && oldStart <= start && oldEnd <= end) {
      this.#merge(scratch.slice(oldStart, start).sort(), scratch.slice(oldEnd, end).sort());
    } else {
      this.#room(end - start);
      this.#sorted.set(scratch.subarray(start, end));
      this.#sorted.subarray(0, end - start).sort();
      this.#n = end - start;
    }
    this.#start = start;
    this.#end = end;
    this.#slid = 0;
    const s = this.#sorted;
    const n = this.#n;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += s[i];
    const mean = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (s[i] - mean) ** 2;
    this.#mean = mean;
    // A constant history still has a spread: the resolution of its values, so that any real departure is extreme.
    this.#sd = Math.max(Math.sqrt(n > 0 ? ss / n : 0), Math.abs(mean) * 1e-12, 1e-300);
    this.#sinceRefresh = skipNewest;
    this.#refreshes++;
  }

  /** Makes room in #sorted for `size` values (growing by doubling, up to memory), keeping the #n held. */
  #room(size: number): void {
    if (this.#sorted.length >= size) return;
    const grown = new Float64Array(Math.min(this.#memory, Math.max(size, 2 * this.#sorted.length)));
    grown.set(this.#sorted.subarray(0, this.#n));
    this.#sorted = grown;
  }

  /** Takes the sorted `out` values out of the sorted distribution and merges the sorted `into` values in. */
  #merge(out: Float64Array, into: Float64Array): void {
    const s = this.#sorted;
    mergeOut = borrow(mergeOut, this.#n + into.length);
    const next = mergeOut;
    let i = 0;
    let o = 0;
    let a = 0;
    let k = 0;
    while (i < this.#n || a < into.length) {
      if (i < this.#n && o < out.length && s[i] === out[o]) {
        i++;
        o++;
      } else if (a >= into.length || (i < this.#n && s[i] <= into[a])) {
        next[k++] = s[i++];
      } else {
        next[k++] = into[a++];
      }
    }
    this.#room(k);
    this.#sorted.set(next.subarray(0, k));
    this.#n = k;
  }
}

/** First index i < n with s[i] >= v in the ascending s[0..n) (n when none). */
function lowerBound(s: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** First index i < n with s[i] > v in the ascending s[0..n) (n when none). */
function upperBound(s: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s[m] <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
