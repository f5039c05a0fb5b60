/**
 * Types of Tetragon's `TracingPolicy` / `TracingPolicyNamespaced` (group `cilium.io`, version `v1alpha1`),
 * mirroring the fields of the upstream CRD that this package generates. Names and enums are the CRD's own.
 */

/** Argument types Tetragon can read from a hook (a subset of the CRD's enum: the commonly useful ones). */
export const ARG_TYPES = [
  'auto',
  'int',
  'uint32',
  'int32',
  'uint64',
  'int64',
  'long',
  'ulong',
  'size_t',
  'string',
  'char_buf',
  'char_iovec',
  'fd',
  'file',
  'path',
  'filename',
  'sock',
  'sockaddr',
  'socket',
  'skb',
  'cred',
  'capability',
  'kernel_cap_t',
  'user_namespace',
  'linux_binprm',
  'syscall64',
  'bpf_attr',
  'bpf_map',
  'perf_event',
  'module',
  'dentry',
  'net_device',
  'nop',
] as const;
/** An argument type a hook can capture. */
export type ArgType = (typeof ARG_TYPES)[number];

/** matchArgs operators (the CRD enum). */
export const ARG_OPERATORS = [
  'Equal',
  'NotEqual',
  'Prefix',
  'NotPrefix',
  'Postfix',
  'NotPostfix',
  'GreaterThan',
  'LessThan',
  'GT',
  'LT',
  'Mask',
  'SPort',
  'NotSPort',
  'SPortPriv',
  'NotSportPriv',
  'DPort',
  'NotDPort',
  'DPortPriv',
  'NotDPortPriv',
  'SAddr',
  'NotSAddr',
  'DAddr',
  'NotDAddr',
  'Protocol',
  'Family',
  'State',
  'InMap',
  'NotInMap',
  'CapabilitiesGained',
  'InRange',
  'NotInRange',
  'SubString',
  'SubStringIgnCase',
  'FileType',
  'NotFileType',
] as const;
/** matchBinaries operators (the CRD enum). */
export const BINARY_OPERATORS = ['In', 'NotIn', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'] as const;
/** Linux namespaces matchNamespaces can test (the CRD enum). */
export const NAMESPACE_KINDS = [
  'Uts',
  'Ipc',
  'Mnt',
  'Pid',
  'PidForChildren',
  'Net',
  'Time',
  'TimeForChildren',
  'Cgroup',
  'User',
] as const;
/** matchActions actions this builder supports (a subset of the CRD enum). */
export const ACTIONS = ['Post', 'NoPost', 'Sigkill', 'Signal', 'Override', 'GetUrl', 'DnsLookup'] as const;

/** One argument captured at a hook: its position and how to read it. */
export interface PolicyArg {
  /** Zero-based position of the argument; Tetragon reads at most five (0-4). */
  index: number;
  type: ArgType;
  /** Name shown in the JSON event. */
  label?: string;
  /** Read the buffer on return (char_buf/char_iovec filled by the call). */
  returnCopy?: boolean;
  /** Index of the argument holding the buffer size, for char_buf. */
  sizeArgIndex?: number;
}

/** Filter on a captured argument's value. */
export interface MatchArg {
  index: number;
  operator: (typeof ARG_OPERATORS)[number];
  values: string[];
}

/** Filter on the executable that triggered the hook. */
export interface MatchBinary {
  operator: (typeof BINARY_OPERATORS)[number];
  values: string[];
  followChildren?: boolean;
}

/** Filter on the Linux namespaces of the process. `values` are inode numbers or `host_ns`. */
export interface MatchNamespace {
  namespace: (typeof NAMESPACE_KINDS)[number];
  operator: 'In' | 'NotIn';
  values: string[];
}

/** What to do when a selector matches; `Sigkill` and `Override` enforce, the others observe. */
export interface MatchAction {
  action: (typeof ACTIONS)[number];
  /** Error returned by `Override`, a negative errno such as -1 (EPERM). */
  argError?: number;
  /** Signal number sent by `Signal`. */
  argSig?: number;
  /** URL fetched by `GetUrl`. */
  argUrl?: string;
  /** Name resolved by `DnsLookup`. */
  argFqdn?: string;
  /** Emit at most one event per interval for identical events, e.g. `1m`. */
  rateLimit?: string;
  kernelStackTrace?: boolean;
  userStackTrace?: boolean;
}

/** One selector: all its filters must match (AND); several selectors on a hook are alternatives (OR). */
export interface Selector {
  matchArgs?: MatchArg[];
  matchBinaries?: MatchBinary[];
  matchNamespaces?: MatchNamespace[];
  matchActions?: MatchAction[];
}

/** Fields every hook kind shares. */
interface HookCommon {
  args?: PolicyArg[];
  selectors?: Selector[];
  /** Human message attached to events. */
  message?: string;
  /** Tags attached to events, e.g. MITRE techniques. */
  tags?: string[];
}

/** A kernel function (or syscall, with `syscall: true`) hook. */
export interface KProbeSpec extends HookCommon {
  call: string;
  syscall?: boolean;
  return?: boolean;
  returnArg?: PolicyArg;
}

/** A static kernel tracepoint hook, e.g. `syscalls/sys_enter_openat`. */
export interface TracepointSpec extends HookCommon {
  subsystem: string;
  event: string;
}

/** A user-space function hook in a binary or library. */
export interface UProbeSpec extends HookCommon {
  path: string;
  symbols: string[];
}

/** A BPF-LSM hook (requires `lsm=bpf` on the node), e.g. `file_open`. */
export interface LsmHookSpec extends HookCommon {
  hook: string;
}

/** Label selector limiting a policy to some pods. */
export interface PodSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** The `spec` of a TracingPolicy. */
export interface TracingPolicySpec {
  kprobes?: KProbeSpec[];
  tracepoints?: TracepointSpec[];
  uprobes?: UProbeSpec[];
  lsmhooks?: LsmHookSpec[];
  podSelector?: PodSelector;
}

/** A cluster-wide `cilium.io/v1alpha1` TracingPolicy. */
export interface TracingPolicy {
  apiVersion: 'cilium.io/v1alpha1';
  kind: 'TracingPolicy';
  metadata: { name: string; labels?: Record<string, string> };
  spec: TracingPolicySpec;
}

/** A `cilium.io/v1alpha1` TracingPolicyNamespaced, applying only to pods in its namespace. */
export interface TracingPolicyNamespaced {
  apiVersion: 'cilium.io/v1alpha1';
  kind: 'TracingPolicyNamespaced';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: TracingPolicySpec;
}
