/** File-open watch (Tetragon-style): opens of configured paths or prefixes, from sys_enter_openat*. */
import type { Meter } from '@opentelemetry/api';
import { requireInput } from '../errors.js';
import { FILE_OPEN_EVENT, FILE_OPEN_KEY, FILE_OPEN_RULE } from '../generated/layouts.js';
import { cString, monotonicToEpochMs } from './clock.js';
import { EventProbe, type EventProbeOptions, startProbe } from './event-probe.js';

/** A path to watch: exact, or a prefix (a directory and everything below it). */
export interface WatchedPath {
  path: string;
  /** Match the path and everything starting with it; default: true when `path` ends with '/'. */
  prefix?: boolean;
}

/** A process opened a watched path. */
export interface FileOpenEvent {
  /** Unix epoch milliseconds. */
  time: number;
  pid: number;
  tid: number;
  uid: number;
  comm: string;
  /** The path as the process passed it. */
  path: string;
  /** The rule that matched (index into `paths`). */
  rule: number;
  /** open(2) flags, e.g. O_WRONLY = 1, O_CREAT = 0o100. */
  flags: number;
  /** Which system call: `openat`, `openat2` or `open`. */
  syscall: 'openat' | 'openat2' | 'open';
}

/** Options of {@link watchFileOpens}. */
export interface FileOpenProbeOptions extends EventProbeOptions {
  /** The paths to watch; at most 1024, each at most 255 bytes. Matched against the path as passed to open. */
  paths: ReadonlyArray<string | WatchedPath>;
  /** Publish `vigil.file.watched_opens` through this meter. */
  meter?: Meter;
}

const PATH_LEN = 256;
const SYSCALLS = ['openat', 'openat2', 'open'] as const;

/**
 * Starts watching opens of sensitive paths. Matching happens in the kernel (an LPM trie), so unwatched
 * opens cost one lookup and never reach user space.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for an empty or too long path; the usual load errors.
 * @example
 * const probe = watchFileOpens({ paths: ['/etc/shadow', '/root/.ssh/'] });
 * for await (const e of probe) console.warn(`${e.comm}[${e.pid}] opened ${e.path}`);
 */
export function watchFileOpens(options: FileOpenProbeOptions): EventProbe<FileOpenEvent> {
  requireInput(
    Array.isArray(options?.paths) && options.paths.length > 0,
    'paths',
    'must list at least one path',
    "pass e.g. { paths: ['/etc/shadow'] }.",
  );
  requireInput(
    options.paths.length <= 1024,
    'paths',
    `has ${options.paths.length} entries, more than 1024`,
    'watch a common prefix instead.',
  );
  const rules = options.paths.map((p, i) => {
    const rule = typeof p === 'string' ? { path: p } : p;
    const bytes = Buffer.from(rule.path ?? '', 'utf8');
    requireInput(
      bytes.length > 0 && bytes.length < PATH_LEN,
      `paths[${i}]`,
      `must be 1–${PATH_LEN - 1} bytes`,
      'shorten it or watch its directory.',
    );
    return { bytes, prefix: rule.prefix ?? rule.path.endsWith('/') };
  });
  const { object } = startProbe(
    'file-open',
    [
      { name: 'handle_openat' },
      { name: 'handle_openat2', optional: true },
      { name: 'handle_open', optional: true },
    ],
    options,
    undefined,
    (obj) => {
      const map = obj.map('rules');
      rules.forEach((rule, id) => {
        const key = Buffer.alloc(FILE_OPEN_KEY.size);
        key.writeUInt32LE(rule.bytes.length * 8, FILE_OPEN_KEY.prefixlen); // bits, as an LPM trie requires
        rule.bytes.copy(key, FILE_OPEN_KEY.path);
        const value = Buffer.alloc(FILE_OPEN_RULE.size);
        value.writeUInt32LE(id, FILE_OPEN_RULE.id);
        value.writeUInt32LE(rule.prefix ? 0 : 1, FILE_OPEN_RULE.exact);
        value.writeUInt32LE(rule.bytes.length, FILE_OPEN_RULE.len);
        map.update(key, value);
      });
    },
  );
  const toEpochMs = monotonicToEpochMs();
  const L = FILE_OPEN_EVENT;
  const decode = (b: Buffer, s: number): FileOpenEvent => ({
    time: toEpochMs(b.readBigUInt64LE(s + L.ts_ns)),
    pid: b.readUInt32LE(s + L.pid),
    tid: b.readUInt32LE(s + L.tid),
    uid: b.readUInt32LE(s + L.uid),
    rule: b.readUInt32LE(s + L.rule_id),
    flags: b.readInt32LE(s + L.flags),
    syscall: SYSCALLS[b.readUInt32LE(s + L.syscall)] ?? 'openat',
    comm: cString(b, s + L.comm, s + L.path),
    path: cString(b, s + L.path, s + L.size),
  });
  const probe = new EventProbe(object, decode, options);
  if (options.meter) {
    const opens = options.meter.createCounter('vigil.file.watched_opens', {
      description: 'Opens of watched paths.',
      unit: '{open}',
    });
    probe.onEvents((events) => {
      for (const e of events) opens.add(1, { 'file.path': e.path, 'process.executable.name': e.comm });
    });
  }
  return probe;
}
