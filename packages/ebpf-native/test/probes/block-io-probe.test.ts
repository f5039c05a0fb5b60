import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { packageRoot } from '../../src/native/package-paths.js';
import { type BlockIoProbe, watchBlockIo } from '../../src/probes/block-io-probe.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: BlockIoProbe | undefined;
const dir = join(packageRoot(), 'build', 'test-block-io');
afterEach(() => {
  probe?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeEbpf('watchBlockIo', () => {
  it('measures the writes of a synced file on the package’s own disk', async () => {
    probe = watchBlockIo({ intervalMs: 100 });
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, 'data'), 'w');
    const chunk = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < 8; i++) writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    await new Promise((r) => setTimeout(r, 150));
    const writes = probe.read().devices.filter((d) => d.direction === 'write');
    const bytes = writes.reduce((a, d) => a + d.bytes, 0);
    const ops = writes.reduce((a, d) => a + d.latency.total, 0);
    // 8 MiB reached the disk (plus metadata and other writers); a request carries at most a few MiB.
    expect(bytes).toBeGreaterThanOrEqual(8 << 20);
    expect(ops).toBeGreaterThanOrEqual(2);
    expect(writes[0].device).toMatch(/^\d+:\d+$/);
    const p50 = probe.quantileSeries(0.5).values.filter(Number.isFinite);
    expect(p50.length).toBeGreaterThan(0);
    expect(Math.max(...p50)).toBeGreaterThan(0.001); // at least a microsecond
  });
});
