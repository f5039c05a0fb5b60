/** `npm start --workspace @vigil/example-ebpf-telemetry [-- seconds]`: watch this host for a few seconds. */
import { checkEnvironment } from '@vigil/ebpf-native/environment';

const env = checkEnvironment();
if (env.problems.length > 0) {
  console.error(`eBPF is not usable here:\n- ${env.problems.join('\n- ')}`);
  process.exit(1);
}
// The main entry throws on import when the addon is not built, so it is loaded only after the check.
const { runTelemetry } = await import('./telemetry.ts');
const seconds = Number(process.argv[2] ?? 5);
console.log(`kernel ${env.kernel}, libbpf ${env.libbpfVersion}; watching for ${seconds} s…`);
const s = await runTelemetry(seconds);
console.log(`processes: ${s.execs} execs, ${s.exits} exits (${s.failedExits} failed or killed)`);
console.log(`tcp: ${s.tcpConnects} outbound connections, ${s.tcpBytesSent} bytes sent over closed ones`);
const p99 = Array.from(s.runQueueP99Ms.values, (v) => (Number.isFinite(v) ? v.toFixed(3) : '-'));
console.log(`run-queue p99 per 250 ms (ms): ${p99.join(' ')}`);
console.log('OpenTelemetry data points:', s.metrics);
console.log(`events dropped in the kernel: ${s.kernelDrops}`);
