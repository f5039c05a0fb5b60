/** Turns the addon's plain errors into typed ones, using errno, the operation and libbpf's log. */
import { checkEnvironment, permissionError, tracefsError } from '../environment.js';
import { VigilEbpfError } from '../errors.js';
import type { NativeError } from '../native/native-types.js';

const EPERM = 1;
const ENOENT = 2;
const EACCES = 13;
const EINVAL = 22;
const EOPNOTSUPP = 95;
const ENOTSUPP = 524;

/** The verifier's part of libbpf's load log, last `lines` lines. */
export function verifierLogTail(libbpfLog: string, lines = 40): string | undefined {
  const begin = libbpfLog.lastIndexOf('-- BEGIN PROG LOAD LOG --');
  if (begin < 0) return undefined;
  const end = libbpfLog.indexOf('-- END PROG LOAD LOG --', begin);
  const body = libbpfLog.slice(begin + '-- BEGIN PROG LOAD LOG --'.length, end < 0 ? undefined : end).trim();
  if (body.length === 0) return undefined;
  return body.split('\n').slice(-lines).join('\n');
}

/** Classifies an error thrown by the addon; `context` says what the caller was doing. */
export function classifyNativeError(error: unknown, context: string): Error {
  if (error instanceof VigilEbpfError) return error;
  const e = error as NativeError;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string') return error as Error;
  const errno = e.errno;
  const details = { errno, syscall: e.syscall, libbpfLog: e.libbpfLog, cause: error };
  if (e.code === 'EBPF_ARGUMENT')
    return new VigilEbpfError('EBPF_INPUT', `${context}: ${e.message}.`, details);
  if (e.code === 'EBPF_CLOSED' || e.code === 'EBPF_NOT_LOADED') {
    return new VigilEbpfError('EBPF_CLOSED', `${context}: ${e.message}.`, details);
  }
  const verifierLog = e.libbpfLog ? verifierLogTail(e.libbpfLog) : undefined;
  if (e.code === 'EBPF_LOAD' && verifierLog && /processed \d+ insns|invalid|R\d+ /.test(verifierLog)) {
    const lastLine = verifierLog
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('processed'))
      .at(-1);
    return new VigilEbpfError(
      'EBPF_VERIFIER',
      `${context}: the kernel verifier rejected the program (${lastLine?.trim() ?? 'see verifierLog'}).`,
      {
        ...details,
        verifierLog,
        fix: 'read verifierLog (its last lines name the instruction and the rule); fix the program or load it on a newer kernel.',
      },
    );
  }
  const env = checkEnvironment();
  const privileged = env.capabilities.sysAdmin || (env.capabilities.bpf && env.capabilities.perfmon);
  if ((errno === EPERM || errno === EACCES) && !privileged) return permissionError(error);
  if (e.code === 'EBPF_ATTACH' && (errno === ENOENT || errno === EINVAL) && !env.tracefs)
    return tracefsError();
  if (
    e.code === 'EBPF_LOAD' &&
    /vmlinux BTF|failed to find kernel BTF/i.test(e.libbpfLog ?? '') &&
    !env.btf
  ) {
    return new VigilEbpfError('EBPF_NO_BTF', `${context}: the kernel has no BTF for CO-RE relocation.`, {
      ...details,
      fix: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y.',
    });
  }
  if (errno === EOPNOTSUPP || errno === ENOTSUPP) {
    return new VigilEbpfError(
      'EBPF_FEATURE_MISSING',
      `${context}: this kernel does not support it (${e.message}).`,
      {
        ...details,
        fix: 'use a hook this kernel has (tracepoints, raw tracepoints, uprobes and perf events are the most portable).',
      },
    );
  }
  return new VigilEbpfError('EBPF_SYSCALL', `${context}: ${e.message}.`, {
    ...details,
    fix: 'see errno and libbpfLog for the failing call.',
  });
}

/** Runs `fn`, rethrowing the addon's errors as typed ones. */
export function native<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw classifyNativeError(error, context);
  }
}
