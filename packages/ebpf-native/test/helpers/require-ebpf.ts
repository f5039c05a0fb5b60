/**
 * Gates tests that load real probes: they run as root with the toolchain built, skip with the reason
 * printed elsewhere, and fail instead of skipping when VIGIL_REQUIRE_EBPF=1 (CI).
 */
import { describe, it } from 'vitest';
import { checkEnvironment } from '../../src/environment.js';

/** Why real probes cannot run here, or undefined when they can. */
export function ebpfUnavailableReason(): string | undefined {
  const env = checkEnvironment();
  return env.problems.length > 0 ? env.problems.join(' ') : undefined;
}

/** Whether the compiled addon and probe objects are missing (a machine without the toolchain). */
export function addonMissing(): boolean {
  return !checkEnvironment().addon;
}

/** `describe` for suites that need to load eBPF programs. */
export function describeEbpf(name: string, body: () => void): void {
  const reason = ebpfUnavailableReason();
  if (!reason) {
    describe(name, body);
    return;
  }
  if (process.env.VIGIL_REQUIRE_EBPF === '1') {
    describe(name, () => {
      it('has eBPF available (VIGIL_REQUIRE_EBPF=1)', () => {
        throw new Error(`VIGIL_REQUIRE_EBPF=1 but eBPF is unavailable: ${reason}`);
      });
    });
    return;
  }
  console.warn(`[ebpf-native] skipping "${name}": ${reason}`);
  describe.skip(name, body);
}

/**
 * Whether a test that needs something this host may lack should skip: only when it is missing and
 * VIGIL_REQUIRE_EBPF is not set. In CI the test always runs, so a missing prerequisite fails it.
 */
export function skipUnlessRequired(missing: boolean): boolean {
  return missing && process.env.VIGIL_REQUIRE_EBPF !== '1';
}
