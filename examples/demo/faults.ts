/** A fault the demo injects into its service. */
export interface Fault {
  readonly name: string;
  /** Seconds after the start of the run. */
  readonly at: number;
  /** How long it lasts, seconds. */
  readonly for: number;
  /** What a person would see. */
  readonly what: string;
  /** Text in the key of a series that shows this fault: a finding on such a series counts as catching it. */
  readonly shows: readonly string[];
  /** The same for the series `vigil serve` gets from its eBPF probes (empty when they cannot show it). */
  readonly ebpfShows: readonly string[];
}

/**
 * The schedule: a warm-up with no fault while the detectors learn normal, then one fault at a time with quiet gaps
 * so each incident can be told apart.
 */
export const FAULTS: readonly Fault[] = [
  {
    name: 'latency spike',
    at: 45,
    for: 7,
    what: '+120 ms on every request',
    shows: ['request.duration'],
    ebpfShows: ['ebpf.http.server.request.duration'],
  },
  {
    name: 'error burst',
    at: 58,
    for: 7,
    what: '40 % of requests answer 500',
    shows: ['http.server.error'],
    ebpfShows: ['ebpf.http.server.error_ratio'],
  },
  {
    name: 'CPU hog',
    at: 71,
    for: 7,
    what: 'a busy loop takes 70 % of each 100 ms',
    shows: ['cpu.utilization'],
    // The busy loop holds the shop's event loop: its requests wait, and so may other tasks for a CPU.
    ebpfShows: ['ebpf.http.server.request.duration', 'ebpf.sched.runqueue'],
  },
  {
    name: 'memory leak',
    at: 84,
    for: 8,
    what: '3 MB retained every 100 ms',
    shows: ['memory.usage'],
    ebpfShows: [],
  },
  {
    name: 'disk filling',
    at: 97,
    for: 12,
    what: 'a log file grows 8 MB/s towards a 400 MB quota',
    shows: ['filesystem.usage'],
    ebpfShows: [],
  },
];

/** Seconds the run lasts. */
export const RUN_SECONDS = 113;

/** Which faults are active at `t` seconds. */
export function activeFaults(t: number): Set<string> {
  return new Set(FAULTS.filter((f) => t >= f.at && t < f.at + f.for).map((f) => f.name));
}
