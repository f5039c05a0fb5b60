/** What this host offers eBPF, checked without privileges so callers can decide before they load. */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { VigilEbpfError } from './errors.js';
import { loadAddon } from './native/load-addon.js';

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** Result of {@link checkEnvironment}. */
export interface EbpfEnvironment {
  /** Kernel release, e.g. `6.18.44`. */
  kernel: string;
  /** Whether the addon loaded; `addonProblem` says why not. */
  addon: boolean;
  addonProblem?: string;
  /** libbpf version the addon was linked with, when it loaded. */
  libbpfVersion?: string;
  /** Effective uid is 0. */
  root: boolean;
  /** Effective capabilities relevant to BPF (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN). */
  capabilities: { bpf: boolean; perfmon: boolean; sysAdmin: boolean };
  /** The mounted tracefs directory, or null when neither /sys/kernel/tracing nor debugfs' copy is there. */
  tracefs: string | null;
  /** /sys/kernel/btf/vmlinux exists (CO-RE and tp_btf need it). */
  btf: boolean;
  /** Every problem that would stop the built-in probes, each a sentence with its fix; empty when none. */
  problems: string[];
}

function effectiveCapabilities(): bigint {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    return hex ? BigInt(`0x${hex}`) : 0n;
  } catch {
    return 0n;
  }
}

/** Returns the tracefs directory whose `events/` this process can read, or null. */
export function findTracefs(): string | null {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    if (existsSync(`${dir}/events`)) return dir;
  }
  return null;
}

/** Mount points of tracefs from /proc/self/mounts (readable by anyone, unlike tracefs itself). */
function tracefsMounts(): string[] {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'tracefs')
      .map((f) => f[1]);
  } catch {
    return [];
  }
}

/**
 * Inspects the host: kernel, addon, privileges, tracefs and BTF, without loading anything.
 *
 * @example
 * const env = checkEnvironment();
 * if (env.problems.length > 0) console.warn(env.problems.join('\n'));
 */
export function checkEnvironment(): EbpfEnvironment {
  const caps = effectiveCapabilities();
  const has = (bit: number) => (caps & (1n << BigInt(bit))) !== 0n;
  const capabilities = { bpf: has(CAP_BPF), perfmon: has(CAP_PERFMON), sysAdmin: has(CAP_SYS_ADMIN) };
  const root = typeof process.geteuid === 'function' && process.geteuid() === 0;
  const tracefs = findTracefs();
  const btf = existsSync('/sys/kernel/btf/vmlinux');
  const env: EbpfEnvironment = {
    kernel: release(),
    addon: false,
    root,
    capabilities,
    tracefs,
    btf,
    problems: [],
  };
  try {
    env.libbpfVersion = loadAddon().libbpfVersion();
    env.addon = true;
  } catch (e) {
    env.addonProblem = e instanceof Error ? e.message : String(e);
    env.problems.push(env.addonProblem);
  }
  const privileged = capabilities.sysAdmin || (capabilities.bpf && capabilities.perfmon);
  if (!privileged) env.problems.push(permissionError().message);
  if (!tracefs) env.problems.push(tracefsError().message);
  if (!btf) env.problems.push(btfError().message);
  return env;
}

/** The `EBPF_PERMISSION` error, with the capabilities and the setcap line. */
export function permissionError(cause?: unknown): VigilEbpfError {
  return new VigilEbpfError(
    'EBPF_PERMISSION',
    'Loading eBPF programs needs root, or CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN on kernels before 5.8); this process has neither.',
    {
      fix: 'run as root, or grant the capabilities: setcap cap_bpf,cap_perfmon+ep "$(command -v node)".',
      cause,
    },
  );
}

/** The `EBPF_TRACEFS` error: unmounted, or mounted but unreadable by this user. */
export function tracefsError(): VigilEbpfError {
  const mounted = tracefsMounts();
  if (mounted.length > 0) {
    return new VigilEbpfError(
      'EBPF_TRACEFS',
      `tracefs is mounted at ${mounted[0]} but this process cannot read it.`,
      {
        fix: 'run as root (tracefs is usually mode 0700), or make it readable to this user.',
      },
    );
  }
  return new VigilEbpfError('EBPF_TRACEFS', 'tracefs is not mounted, so tracepoints cannot be attached.', {
    fix: 'mount -t tracefs tracefs /sys/kernel/tracing',
  });
}

/** The `EBPF_NO_BTF` error. */
export function btfError(): VigilEbpfError {
  return new VigilEbpfError(
    'EBPF_NO_BTF',
    'The kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing); CO-RE probes cannot be relocated.',
    { fix: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.8).' },
  );
}

/**
 * Throws the first reason the built-in probes cannot run here.
 *
 * @throws {VigilEbpfError} `EBPF_ADDON_UNAVAILABLE`, `EBPF_PERMISSION`, `EBPF_TRACEFS` or `EBPF_NO_BTF`.
 */
export function assertEbpfUsable(): void {
  loadAddon();
  const env = checkEnvironment();
  const privileged = env.capabilities.sysAdmin || (env.capabilities.bpf && env.capabilities.perfmon);
  if (!privileged) throw permissionError();
  if (!env.tracefs) throw tracefsError();
  if (!env.btf) throw btfError();
}
