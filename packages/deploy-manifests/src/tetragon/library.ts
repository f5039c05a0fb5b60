import { assertOneOf } from '../common.js';
import { ManifestError } from '../errors.js';
import { TracingPolicyBuilder } from './policy.js';
import type { MatchAction, MatchBinary, TracingPolicy, TracingPolicyNamespaced } from './types.js';

/** Names of the built-in policies. */
export const POLICY_NAMES = ['sensitive-files', 'outbound-connections', 'privilege-escalation'] as const;
/** A built-in policy name. */
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Options every built-in policy takes. */
export interface LibraryPolicyOptions {
  /** Enforce (kill the process or fail the call) instead of only reporting. Default false. */
  enforce?: boolean;
  /** Executables allowed to do this without an event (absolute paths). Default none. */
  allowedBinaries?: string[];
  /** Make a TracingPolicyNamespaced for this namespace instead of a cluster-wide TracingPolicy. */
  namespace?: string;
  /** Labels on the policy object. */
  labels?: Record<string, string>;
}

/** Options of {@link sensitiveFilesPolicy}. */
export interface SensitiveFilesOptions extends LibraryPolicyOptions {
  /** Path prefixes to watch. Default `/etc/shadow`, `/etc/sudoers`, `/etc/kubernetes/pki`, `/root/.ssh`, `/var/run/secrets`. */
  paths?: string[];
  /** Use the BPF-LSM `file_open` hook (needs `lsm=bpf`) instead of kprobes. Default false. */
  useLsm?: boolean;
}

/** Options of {@link outboundConnectionsPolicy}. */
export interface OutboundConnectionsOptions extends LibraryPolicyOptions {
  /** Destinations that are not reported, as CIDRs. Default loopback and the RFC 1918 private ranges. */
  allowedCidrs?: string[];
}

const DEFAULT_SENSITIVE = [
  '/etc/shadow',
  '/etc/sudoers',
  '/etc/kubernetes/pki',
  '/root/.ssh',
  '/var/run/secrets',
];
const DEFAULT_CIDRS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

function binaries(o: LibraryPolicyOptions): MatchBinary[] | undefined {
  const allowed = o.allowedBinaries ?? [];
  if (!Array.isArray(allowed) || allowed.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
    throw new ManifestError('INVALID_OPTION', 'must be absolute executable paths.', {
      field: 'allowedBinaries',
    });
  }
  return allowed.length > 0 ? [{ operator: 'NotIn', values: allowed }] : undefined;
}

function finish(
  builder: TracingPolicyBuilder,
  o: LibraryPolicyOptions,
): TracingPolicy | TracingPolicyNamespaced {
  builder.labels({ ...(o.labels ?? {}), 'app.kubernetes.io/part-of': 'vigil' });
  return o.namespace === undefined ? builder.build() : builder.build(o.namespace);
}

/**
 * Reports (or, enforcing, SIGKILLs) any process that reads or writes a sensitive path: credential files,
 * Kubernetes PKI and mounted service-account tokens. Hooks `security_file_permission` and `security_path_truncate`,
 * or the BPF-LSM `file_open` hook with `useLsm`.
 *
 * @throws {ManifestError} `INVALID_OPTION` for relative paths.
 * @see https://tetragon.io/docs/policy-library/observability/#file-access
 * @example
 * sensitiveFilesPolicy({ enforce: true }).metadata.name // 'vigil-sensitive-files-enforce'
 */
export function sensitiveFilesPolicy(o: SensitiveFilesOptions = {}): TracingPolicy | TracingPolicyNamespaced {
  const paths = o.paths ?? DEFAULT_SENSITIVE;
  if (
    !Array.isArray(paths) ||
    paths.length === 0 ||
    paths.some((p) => typeof p !== 'string' || !p.startsWith('/'))
  ) {
    throw new ManifestError('INVALID_OPTION', 'must be a non-empty list of absolute path prefixes.', {
      field: 'paths',
    });
  }
  const matchActions: MatchAction[] | undefined = o.enforce ? [{ action: 'Sigkill' }] : undefined;
  const matchBinaries = binaries(o);
  const selector = (argIndex: number) => [
    {
      matchArgs: [{ index: argIndex, operator: 'Prefix' as const, values: paths }],
      ...(matchBinaries ? { matchBinaries } : {}),
      ...(matchActions ? { matchActions } : {}),
    },
  ];
  const b = new TracingPolicyBuilder(`vigil-sensitive-files${o.enforce ? '-enforce' : ''}`);
  if (o.useLsm) {
    b.lsmHook({
      hook: 'file_open',
      args: [{ index: 0, type: 'file' }],
      selectors: selector(0),
      message: 'Sensitive file opened',
      tags: ['vigil', 'T1552'],
    });
  } else {
    b.kprobe({
      call: 'security_file_permission',
      syscall: false,
      return: true,
      args: [
        { index: 0, type: 'file' },
        { index: 1, type: 'int' },
      ],
      returnArg: { index: 0, type: 'int' },
      selectors: selector(0),
      message: 'Sensitive file accessed',
      tags: ['vigil', 'T1552'],
    }).kprobe({
      call: 'security_path_truncate',
      syscall: false,
      args: [{ index: 0, type: 'path' }],
      selectors: selector(0),
      message: 'Sensitive file truncated',
      tags: ['vigil', 'T1565'],
    });
  }
  return finish(b, o);
}

/**
 * Reports (or, enforcing, SIGKILLs) TCP connections to destinations outside `allowedCidrs` — by default anything
 * not loopback or private, i.e. egress to the internet. Hooks `tcp_connect` and filters with `NotDAddr`.
 *
 * @throws {ManifestError} `INVALID_OPTION` for a malformed CIDR.
 * @see https://tetragon.io/docs/policy-library/observability/#network-activity
 * @example
 * outboundConnectionsPolicy().spec.kprobes?.[0].call // 'tcp_connect'
 */
export function outboundConnectionsPolicy(
  o: OutboundConnectionsOptions = {},
): TracingPolicy | TracingPolicyNamespaced {
  const cidrs = o.allowedCidrs ?? DEFAULT_CIDRS;
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    throw new ManifestError('INVALID_OPTION', 'must list at least one CIDR, e.g. 10.0.0.0/8.', {
      field: 'allowedCidrs',
    });
  }
  cidrs.forEach((c, i) => {
    if (typeof c !== 'string' || !(IPV4_CIDR.test(c) || IPV6_CIDR.test(c))) {
      throw new ManifestError('INVALID_OPTION', `${JSON.stringify(c)} is not a CIDR such as 10.0.0.0/8.`, {
        field: `allowedCidrs[${i}]`,
      });
    }
  });
  const matchBinaries = binaries(o);
  const b = new TracingPolicyBuilder(`vigil-outbound-connections${o.enforce ? '-enforce' : ''}`).kprobe({
    call: 'tcp_connect',
    syscall: false,
    args: [{ index: 0, type: 'sock' }],
    selectors: [
      {
        matchArgs: [{ index: 0, operator: 'NotDAddr', values: cidrs }],
        ...(matchBinaries ? { matchBinaries } : {}),
        ...(o.enforce ? { matchActions: [{ action: 'Sigkill' as const }] } : {}),
      },
    ],
    message: 'Outbound connection outside allowed networks',
    tags: ['vigil', 'T1041'],
  });
  return finish(b, o);
}

/**
 * Reports attempts to become root through `setuid(0)` / `setgid(0)`; enforcing, the syscall is overridden to
 * fail with EPERM instead of killing the caller, so a probing process sees a plain permission error.
 *
 * @see https://tetragon.io/docs/policy-library/observability/#privileges-raise
 * @example
 * privilegeEscalationPolicy({ enforce: true }).spec.kprobes?.[0].selectors?.[0].matchActions
 * // [{ action: 'Override', argError: -1 }]
 */
export function privilegeEscalationPolicy(
  o: LibraryPolicyOptions = {},
): TracingPolicy | TracingPolicyNamespaced {
  const matchBinaries = binaries(o);
  const hook = (call: string, message: string) => ({
    call,
    syscall: true,
    args: [{ index: 0, type: 'int' as const, label: 'id' }],
    selectors: [
      {
        matchArgs: [{ index: 0, operator: 'Equal' as const, values: ['0'] }],
        ...(matchBinaries ? { matchBinaries } : {}),
        ...(o.enforce ? { matchActions: [{ action: 'Override' as const, argError: -1 }] } : {}),
      },
    ],
    message,
    tags: ['vigil', 'T1548'],
  });
  const b = new TracingPolicyBuilder(`vigil-privilege-escalation${o.enforce ? '-enforce' : ''}`)
    .kprobe(hook('sys_setuid', 'Process tried to set its user ID to root'))
    .kprobe(hook('sys_setgid', 'Process tried to set its group ID to root'));
  return finish(b, o);
}

/**
 * A built-in policy by name, so CLI users can pick policies with a string.
 *
 * @throws {ManifestError} `INVALID_OPTION` listing the allowed names for an unknown one.
 * @example
 * libraryPolicy('outbound-connections', { enforce: true }).metadata.name // 'vigil-outbound-connections-enforce'
 */
export function libraryPolicy(
  name: PolicyName,
  o: LibraryPolicyOptions = {},
): TracingPolicy | TracingPolicyNamespaced {
  assertOneOf('policies', name, POLICY_NAMES);
  if (name === 'sensitive-files') return sensitiveFilesPolicy(o);
  if (name === 'outbound-connections') return outboundConnectionsPolicy(o);
  return privilegeEscalationPolicy(o);
}
