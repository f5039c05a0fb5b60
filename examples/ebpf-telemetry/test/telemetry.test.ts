import { checkEnvironment } from '@vigil/ebpf-native/environment';
import { describe, expect, it } from 'vitest';

const problems = checkEnvironment().problems;
const required = process.env.VIGIL_REQUIRE_EBPF === '1';
if (problems.length > 0 && !required)
  console.warn(`[example-ebpf-telemetry] skipping: ${problems.join(' ')}`);

describe.skipIf(problems.length > 0 && !required)('ebpf-telemetry example', () => {
  it('sees its own failing child and TCP round trip, and exports them as OTel metrics', async () => {
    const { runTelemetry } = await import('../telemetry.ts');
    const s = await runTelemetry(1);
    expect(s.execs).toBeGreaterThanOrEqual(1);
    expect(s.failedExits).toBeGreaterThanOrEqual(1);
    expect(s.tcpConnects).toBeGreaterThanOrEqual(1);
    expect(s.tcpBytesSent).toBeGreaterThanOrEqual(4);
    expect(s.metrics['vigil.process.exits']).toBeGreaterThanOrEqual(1);
    expect(s.metrics['vigil.tcp.connections']).toBeGreaterThanOrEqual(1);
    expect(s.runQueueP99Ms.timestamps.length).toBe(s.runQueueP99Ms.values.length);
    expect(s.runQueueP99Ms.values.length).toBeGreaterThanOrEqual(2);
    expect(s.kernelDrops).toBe(0);
  });
});
