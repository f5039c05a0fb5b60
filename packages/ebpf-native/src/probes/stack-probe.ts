/** CPU profiling: user and kernel stacks sampled by a perf event, counted in the kernel. */
import { requireInput } from '../errors.js';
import { STACK_KEY } from '../generated/layouts.js';
import { u64At } from '../object/per-cpu.js';
import { type Mapping, mappingAt, processStart, readMaps } from '../profiling/proc-maps.js';
import { AggregateProbe, type AggregateProbeOptions, validateAggregateOptions } from './aggregate-probe.js';
import { cString } from './clock.js';
import { startProbe } from './event-probe.js';
import { setPidFilter, validatePid } from './filter.js';
import { KernelSymbols } from './kernel-symbols.js';

/** A user-space frame: the mapped file and the offset in it (feed to addr2line), or the raw address. */
export interface UserFrame {
  /** Absolute address, hex. */
  address: string;
  /** The file mapped there, `[anon]` for JIT code and other anonymous memory, or undefined when unknown. */
  module?: string;
  /** Offset into `module`'s file, hex. */
  offset?: string;
}

/**
 * One distinct (process, user stack, kernel stack) and how often it was sampled. Its frames are resolved once and
 * shared by every later snapshot with the same stack, and a later snapshot in which its count has not moved holds
 * this very object: read samples, do not change them.
 */
export interface StackSample {
  pid: number;
  comm: string;
  count: number;
  /** Kernel frames, innermost first, as `symbol+0xoffset`; empty when the sample hit user space. */
  kernel: string[];
  /** The kernel frames' addresses, innermost first. */
  kernelAddresses: bigint[];
  /** User frames, innermost first; unwound with frame pointers, so often short for code built without them. */
  user: UserFrame[];
}

/** A snapshot of {@link sampleStacks}: cumulative counts since start. */
export interface StackSnapshot {
  /** Unix epoch milliseconds. */
  time: number;
  /** Samples taken (the sum of every `count`). */
  total: number;
  stacks: StackSample[];
}

/** Options of {@link sampleStacks}. */
export interface StackProbeOptions extends AggregateProbeOptions {
  /** Only this process; default every process (the idle task is never counted). */
  pid?: number;
  /** Samples per second per CPU, in Hz; default 49 (off the common 50/100 Hz timer beats). */
  frequency?: number;
}

/**
 * Starts a CPU profile: every `1 / frequency` seconds each CPU's current task has its stacks counted.
 * Kernel frames are symbolized from /proc/kallsyms; user frames are mapped to file + offset while the
 * process lives.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for a bad frequency; the usual load errors.
 * @example
 * const profile = sampleStacks({ pid: process.pid, frequency: 99 });
 * setTimeout(() => console.log(profile.read().stacks.sort((a, b) => b.count - a.count)[0]), 5000);
 */
export function sampleStacks(options: StackProbeOptions = {}): AggregateProbe<StackSnapshot> {
  validateAggregateOptions(options);
  validatePid(options.pid);
  const frequency = options.frequency ?? 49;
  requireInput(
    Number.isInteger(frequency) && frequency >= 1 && frequency <= 10_000,
    'frequency',
    'must be an integer from 1 to 10000 Hz',
    'pass e.g. 49.',
  );
  const { object } = startProbe(
    'stacks',
    [{ name: 'sample', attach: (o) => o.attachPerfEvent('sample', { event: 'cpu-clock', frequency }) }],
    {},
    undefined,
    (o) => setPidFilter(o, options.pid),
  );
  const counts = object.map('counts');
  const stacks = object.map('stacks');
  let symbols: KernelSymbols | undefined;
  const frames = (id: number): bigint[] => {
    if (id < 0) return [];
    const raw = stacks.lookup(id);
    const out: bigint[] = [];
    if (!raw) return out;
    for (let off = 0; off + 8 <= raw.length; off += 8) {
      const ip = raw.readBigUInt64LE(off);
      if (ip === 0n) break;
      out.push(ip);
    }
    return out;
  };
  // A stack id names the same frames for the map's life (no BPF_F_REUSE_STACKID), so each distinct
  // (process, stacks, comm) key is resolved once, when it first appears, and later snapshots only take the new
  // counts: a snapshot costs one batch read plus the keys it has not seen, not every frame ever sampled.
  // Resolving at first sight also keeps the frames of a process that has since exited mapped to its files.
  // The sample each key had in the last snapshot: kept when its count has not moved (most stacks of a
  // cumulative profile stand still, and snapshots are kept), so what is kept grows with new samples only.
  const resolved = new Map<string, StackSample>();
  /**
   * Each process's mappings as last read, with the process's start time (a reused pid is another process).
   * Read again when a new frame falls outside them (new JIT code, a library loaded since), once per snapshot.
   */
  const mappings = new Map<number, { started: string | undefined; list: Mapping[] }>();
  const mappingOf = (pid: number, ip: bigint, checked: Set<number>): Mapping | undefined => {
    let known = mappings.get(pid);
    if (known && !checked.has(pid)) {
      const started = processStart(pid);
      // Another process has the pid now; an exited process keeps the mappings it had.
      if (started !== undefined && started !== known.started) known = undefined;
    }
    let m = known && mappingAt(known.list, ip);
    if (!m && !checked.has(pid)) {
      const list = readMaps(pid);
      if (list.length > 0 || !known) mappings.set(pid, (known = { started: processStart(pid), list }));
      m = known && mappingAt(known.list, ip);
    }
    checked.add(pid);
    return m;
  };
  const resolve = (key: Buffer, pid: number, checked: Set<number>): Omit<StackSample, 'count'> => {
    const kernelAddresses = frames(key.readInt32LE(STACK_KEY.kernel_stack_id));
    if (kernelAddresses.length > 0 && !symbols) symbols = KernelSymbols.shared();
    const user = frames(key.readInt32LE(STACK_KEY.user_stack_id)).map((ip): UserFrame => {
      const m = mappingOf(pid, ip, checked);
      const address = `0x${ip.toString(16)}`;
      return m
        ? { address, module: m.path, offset: `0x${(ip - m.start + m.offset).toString(16)}` }
        : { address };
    });
    return {
      pid,
      comm: cString(key, STACK_KEY.comm, STACK_KEY.size),
      kernel: kernelAddresses.map((ip) => symbols!.resolve(ip)),
      kernelAddresses,
      user,
    };
  };
  const snapshot = (): StackSnapshot => {
    const out: StackSample[] = [];
    const seen = new Set<string>();
    const checked = new Set<number>();
    let total = 0;
    // The whole map in one read, and no object per stack unless it is new or its count moved: the map holds
    // every distinct stack since start, so this loop grows with the profile.
    const rows = counts.readAll();
    for (let i = 0; i < rows.count; i++) {
      const at = i * STACK_KEY.size;
      const count = u64At(rows.values, i * rows.valueStride);
      total += count;
      const id = rows.keys.toString('latin1', at, at + STACK_KEY.size);
      seen.add(id);
      let stack = resolved.get(id);
      if (!stack) {
        const key = rows.keys.subarray(at, at + STACK_KEY.size);
        stack = { ...resolve(key, key.readUInt32LE(STACK_KEY.pid), checked), count };
      } else if (stack.count !== count) stack = { ...stack, count };
      resolved.set(id, stack);
      out.push(stack);
    }
    if (seen.size < resolved.size) for (const id of resolved.keys()) if (!seen.has(id)) resolved.delete(id);
    return { time: Date.now(), total, stacks: out };
  };
  return new AggregateProbe(object, snapshot, options);
}
