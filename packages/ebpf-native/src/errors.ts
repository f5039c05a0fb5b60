/** Typed errors of @vigil/ebpf-native: every failure names what was wrong and how to fix it. */
import { VigilError, type VigilErrorDetails } from '@vigil/errors';

/**
 * Stable error codes. `EBPF_ADDON_UNAVAILABLE`: the native addon was not built or cannot load;
 * `EBPF_PERMISSION`: not root and missing CAP_BPF/CAP_PERFMON; `EBPF_TRACEFS`: tracefs not mounted;
 * `EBPF_NO_BTF`: the kernel exposes no BTF; `EBPF_VERIFIER`: the verifier rejected a program;
 * `EBPF_TRACEPOINT_MISSING`: the kernel has no such tracepoint; `EBPF_FEATURE_MISSING`: another kernel
 * feature is absent; `EBPF_INPUT`: a bad argument; `EBPF_CLOSED`: the object was closed;
 * `EBPF_SYSCALL`: any other failed bpf() or perf_event_open() call (see `errno`).
 */
export type EbpfErrorCode =
  | 'EBPF_ADDON_UNAVAILABLE'
  | 'EBPF_PERMISSION'
  | 'EBPF_TRACEFS'
  | 'EBPF_NO_BTF'
  | 'EBPF_VERIFIER'
  | 'EBPF_TRACEPOINT_MISSING'
  | 'EBPF_FEATURE_MISSING'
  | 'EBPF_INPUT'
  | 'EBPF_CLOSED'
  | 'EBPF_SYSCALL';

/** Details attached to a {@link VigilEbpfError}. */
export interface VigilEbpfErrorDetails extends VigilErrorDetails {
  /** Positive errno of the failed system call, when there was one. */
  errno?: number;
  /** The failed operation, e.g. `bpf_object__load`. */
  syscall?: string;
  /** The last lines of the verifier log, for `EBPF_VERIFIER`. */
  verifierLog?: string;
  /** What libbpf printed during the failed operation (warnings and errors only). */
  libbpfLog?: string;
  /** What to do about it, also included in the message. */
  readonly fix?: string;
}

/**
 * The error every API of this package throws, a {@link VigilError} like every Vigil error: `code` is stable, the
 * message names the problem and the fix (also in `fix`), `field` the argument at fault for `EBPF_INPUT`.
 *
 * @example
 * try { probe = await watchProcesses(); } catch (e) {
 *   if (e instanceof VigilEbpfError && e.code === 'EBPF_PERMISSION') console.warn(e.message);
 * }
 */
export class VigilEbpfError extends VigilError<EbpfErrorCode> {
  /** Positive errno of the failed system call, when there was one. */
  readonly errno: number | undefined;
  /** The failed operation. */
  readonly syscall: string | undefined;
  /** Tail of the verifier log (only for `EBPF_VERIFIER`). */
  readonly verifierLog: string | undefined;
  /** libbpf's warnings for the failed operation. */
  readonly libbpfLog: string | undefined;

  constructor(code: EbpfErrorCode, message: string, details: VigilEbpfErrorDetails = {}) {
    super(code, details.fix ? `${message} Fix: ${details.fix}` : message, details);
    this.name = 'VigilEbpfError';
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.verifierLog = details.verifierLog;
    this.libbpfLog = details.libbpfLog;
  }
}

/** Throws `EBPF_INPUT` naming the field and the rule when `ok` is false. */
export function requireInput(ok: boolean, field: string, rule: string, fix: string): asserts ok {
  if (!ok) throw new VigilEbpfError('EBPF_INPUT', `${field} ${rule}.`, { field, fix });
}
