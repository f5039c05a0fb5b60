/** Per-CPU map values: the kernel returns one 8-byte-aligned slot per possible CPU. */

/** Splits a per-CPU lookup result into one `valueSize` view per CPU. */
export function splitPerCpu(raw: Uint8Array, valueSize: number, cpus: number): Buffer[] {
  const stride = Math.ceil(valueSize / 8) * 8;
  const out: Buffer[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    out.push(Buffer.from(raw.buffer, raw.byteOffset + cpu * stride, valueSize));
  }
  return out;
}

/** How one u64 lane of a per-CPU value is combined across CPUs. */
export type LaneReduction = 'sum' | 'max' | 'min';

/**
 * Combines per-CPU values that are arrays of u64 lanes: lane i of the result is the sum (default), max or
 * min of lane i over CPUs, as the value's meaning requires (counters add, maxima take the max).
 *
 * @example
 * aggregatePerCpuU64(perCpu, ['sum', 'sum', 'max', 'sum']) // count, total, max, errors
 */
export function aggregatePerCpuU64(
  perCpu: readonly Uint8Array[],
  reductions: readonly LaneReduction[] = [],
): bigint[] {
  if (perCpu.length === 0) return [];
  const lanes = Math.floor(perCpu[0].byteLength / 8);
  const out: bigint[] = new Array(lanes);
  for (let lane = 0; lane < lanes; lane++) {
    const how = reductions[lane] ?? 'sum';
    let acc: bigint | undefined;
    for (const value of perCpu) {
      const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength).readBigUInt64LE(lane * 8);
      if (acc === undefined) acc = v;
      else if (how === 'sum') acc += v;
      else if (how === 'max') acc = v > acc ? v : acc;
      else acc = v < acc ? v : acc;
    }
    out[lane] = acc ?? 0n;
  }
  return out;
}

/**
 * The u64 at `offset` as a number, without a BigInt (exact below 2^53, which a counter of events reaches after
 * 285 years at a million a second).
 */
export function u64At(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 2 ** 32;
}

/**
 * The sum over CPUs of the u64 at `offset` in entry `entry` of a per-CPU {@link MapContents}-style buffer.
 */
export function sumPerCpuU64(
  values: Buffer,
  entry: number,
  offset: number,
  layout: { valueStride: number; perCpuStride: number },
): number {
  let n = 0;
  const start = entry * layout.valueStride + offset;
  for (let at = start; at < start + layout.valueStride; at += layout.perCpuStride) n += u64At(values, at);
  return n;
}
