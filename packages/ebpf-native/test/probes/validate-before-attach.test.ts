/**
 * Every probe checks its options before it loads or attaches anything: a bad option throws `EBPF_INPUT`
 * and leaves no link behind (counted from this process's own descriptors).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { watchBlockIo } from '../../src/probes/block-io-probe.js';
import { watchProcesses } from '../../src/probes/process-probe.js';
import { summarizeProcesses } from '../../src/probes/process-summary.js';
import { watchRunQueueLatency } from '../../src/probes/runqlat-probe.js';
import { sampleStacks } from '../../src/probes/stack-probe.js';
import { watchSyscalls } from '../../src/probes/syscall-probe.js';
import { watchTcp } from '../../src/probes/tcp-probe.js';
import { summarizeTcp } from '../../src/probes/tcp-summary.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

/** BPF links and programs this process holds. */
function ownBpfDescriptors(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      if (/^(link_id|prog_id):/m.test(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describeEbpf('option validation', () => {
  it('rejects bad options of every probe before loading or attaching anything', () => {
    const cases: Array<[string, () => unknown]> = [
      ['watchRunQueueLatency intervalMs', () => watchRunQueueLatency({ intervalMs: 1 })],
      ['watchRunQueueLatency maxHistory', () => watchRunQueueLatency({ maxHistory: 0 })],
      ['watchRunQueueLatency pid', () => watchRunQueueLatency({ pid: -3 })],
      ['watchSyscalls intervalMs', () => watchSyscalls({ intervalMs: Number.NaN })],
      ['watchSyscalls pid', () => watchSyscalls({ pid: 1.5 })],
      ['watchSyscalls startTimes', () => watchSyscalls({ startTimes: 'fast' as never })],
      ['watchBlockIo maxHistory', () => watchBlockIo({ maxHistory: -1 })],
      ['sampleStacks intervalMs', () => sampleStacks({ intervalMs: 0 })],
      ['watchTcp ringBytes', () => watchTcp({ ringBytes: 5000 })],
      ['watchProcesses maxBuffered', () => watchProcesses({ maxBuffered: -1 })],
      ['summarizeTcp ports', () => summarizeTcp({ ports: [70000] })],
      ['summarizeTcp empty ports', () => summarizeTcp({ ports: [] })],
      ['summarizeTcp intervalMs', () => summarizeTcp({ intervalMs: 2 })],
      ['summarizeProcesses maxHistory', () => summarizeProcesses({ maxHistory: 0 })],
    ];
    const before = ownBpfDescriptors();
    for (const [name, start] of cases) {
      expect(start, name).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
      expect(ownBpfDescriptors(), name).toBe(before);
    }
  });
});
