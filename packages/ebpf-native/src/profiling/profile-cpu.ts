/** One-shot CPU profiling: sample, symbolize while the processes still run, detach. */
import { requireInput } from '../errors.js';
import { sampleStacks } from '../probes/stack-probe.js';
import { type CpuProfile, type ProfileCpuOptions, symbolizeStacks } from './cpu-profile.js';
import { Symbolizer } from './symbolizer.js';

/**
 * Profiles the CPU for `durationMs`: stacks sampled by a perf event on every CPU, user frames named from
 * the mapped ELF files' symbol tables or the process's perf map (JIT code), kernel frames from kallsyms.
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for a bad option (before anything is loaded); the usual load errors.
 * @example
 * const profile = await profileCpu({ pid: server.pid, durationMs: 30_000, frequency: 19 });
 * writeFileSync('cpu.pb.gz', encodePprof(profile, { gzip: true }));
 * writeFileSync('cpu.svg', flameGraphSvg(foldedStacks(profile)));
 */
export async function profileCpu(options: ProfileCpuOptions = {}): Promise<CpuProfile> {
  const frequency = options.frequency ?? 99;
  const durationMs = options.durationMs ?? 10_000;
  requireInput(
    Number.isFinite(durationMs) && durationMs >= 10 && durationMs <= 24 * 3600_000,
    'durationMs',
    'must be from 10 ms to 24 h',
    'pass e.g. 10000.',
  );
  const probe = sampleStacks({ pid: options.pid, frequency, intervalMs: Math.max(1000, durationMs) });
  try {
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const snapshot = probe.read();
    return symbolizeStacks(snapshot, new Symbolizer(options.perfMapDir), {
      frequency,
      durationMs: Date.now() - started,
    });
  } finally {
    probe.close();
  }
}
