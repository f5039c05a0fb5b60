/** Converts kernel timestamps (bpf_ktime_get_ns: CLOCK_MONOTONIC) to Unix epoch milliseconds. */

/** A converter fixed at creation: epoch ms = monotonic ns / 1e6 + offset. */
export function monotonicToEpochMs(): (ns: bigint | number) => number {
  // process.hrtime is CLOCK_MONOTONIC on Linux, the same clock as bpf_ktime_get_ns.
  const offsetMs = Date.now() - Number(process.hrtime.bigint()) / 1e6;
  return (ns) => Number(ns) / 1e6 + offsetMs;
}

/** Reads a NUL-terminated string from `buf[start, end)`. */
export function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}
