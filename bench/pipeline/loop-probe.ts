/**
 * What a stretch of event-loop time was made of, for the loop-delay rows of bench/pipeline: the delay histogram
 * (`monitorEventLoopDelay`, 1 ms resolution), the garbage collections that ran (a `PerformanceObserver` on `gc`
 * entries: count and longest pause) and, on Linux, how long the main thread ran on a CPU and how long it was ready
 * but waited for one (`/proc/self/task/<tid>/schedstat`). The last tells a loop blocked by its own work from a loop
 * whose thread the machine did not schedule: on a shared machine the second dominates.
 *
 * @example
 * const probe = LoopProbe.start();
 * await stream();
 * const { p99Ms, waitedMs } = probe.stop();
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** What {@link LoopProbe.stop} measured. */
export interface LoopStats {
  readonly seconds: number;
  /** Delay samples taken (about one per millisecond of loop time). */
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly gcCount: number;
  readonly gcMaxMs: number;
  readonly gcTotalMs: number;
  /** Main thread on a CPU / ready but waiting for one, ms (undefined off Linux). */
  readonly ranMs: number | undefined;
  readonly waitedMs: number | undefined;
  /** CPU time of the whole process (every thread: fit workers and V8's helper threads too), ms. */
  readonly processCpuMs: number;
  /** One-minute load average at the start and at the end. */
  readonly loadStart: number;
  readonly loadEnd: number;
}

/** Nanoseconds the main thread (its id is the process id) has spent running and waiting on a run queue (Linux). */
export function schedstat(): { ran: number; waited: number } | undefined {
  try {
    const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
      .trim()
      .split(' ')
      .map(Number);
    return Number.isFinite(ran) && Number.isFinite(waited) ? { ran, waited } : undefined;
  } catch {
    return undefined;
  }
}

export class LoopProbe {
  readonly #h: IntervalHistogram;
  readonly #gc: PerformanceObserver;
  readonly #t0 = performance.now();
  readonly #sched = schedstat();
  readonly #load = loadavg()[0];
  readonly #cpu = process.cpuUsage();
  #gcCount = 0;
  #gcMax = 0;
  #gcTotal = 0;

  private constructor() {
    this.#gc = new PerformanceObserver((list) => this.#count(list.getEntries()));
    this.#gc.observe({ entryTypes: ['gc'] });
    this.#h = monitorEventLoopDelay({ resolution: 1 });
    this.#h.enable();
  }

  #count(entries: readonly PerformanceEntry[]): void {
    for (const e of entries) {
      this.#gcCount++;
      this.#gcTotal += e.duration;
      this.#gcMax = Math.max(this.#gcMax, e.duration);
    }
  }

  static start(): LoopProbe {
    return new LoopProbe();
  }

  stop(): LoopStats {
    this.#h.disable();
    // Entries are delivered asynchronously: take those not delivered yet.
    this.#count(this.#gc.takeRecords());
    this.#gc.disconnect();
    const s = schedstat();
    const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
    const sched = this.#sched;
    return {
      seconds: Number(((performance.now() - this.#t0) / 1000).toFixed(2)),
      samples: this.#h.count,
      p50Ms: ms(this.#h.percentile(50)),
      p99Ms: ms(this.#h.percentile(99)),
      maxMs: ms(this.#h.max),
      gcCount: this.#gcCount,
      gcMaxMs: Number(this.#gcMax.toFixed(2)),
      gcTotalMs: Number(this.#gcTotal.toFixed(1)),
      ranMs: s && sched ? Math.round((s.ran - sched.ran) / 1e6) : undefined,
      waitedMs: s && sched ? Math.round((s.waited - sched.waited) / 1e6) : undefined,
      processCpuMs: Math.round(((c) => (c.user + c.system) / 1000)(process.cpuUsage(this.#cpu))),
      loadStart: Number(this.#load.toFixed(2)),
      loadEnd: Number(loadavg()[0].toFixed(2)),
    };
  }
}
