/** Writes the `filter` map shared by the aggregating probes (struct filter_config in bpf/events.h). */
import { requireInput } from '../errors.js';
import { FILTER_CONFIG } from '../generated/layouts.js';
import type { BpfObject } from '../object/bpf-object.js';

/**
 * Checks a probe's `pid` option (called before anything is loaded).
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` when it is not a process id.
 */
export function validatePid(pid: number | undefined): void {
  const tgid = pid ?? 0;
  requireInput(
    Number.isInteger(tgid) && tgid >= 0 && tgid <= 0x3fffffff,
    'pid',
    'must be a process id',
    'pass process.pid or omit it.',
  );
}

/** Restricts a probe to one process (thread group); 0 or undefined means every process. */
export function setPidFilter(object: BpfObject, pid: number | undefined): void {
  validatePid(pid);
  const tgid = pid ?? 0;
  const value = Buffer.alloc(FILTER_CONFIG.size);
  value.writeUInt32LE(tgid, FILTER_CONFIG.tgid);
  object.map('filter').update(0, value);
}
