import * as tf from '@tensorflow/tfjs-core';
import { loadDetector } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { selectBackend } from '../../src/lstm/backend.js';
import { LstmDetector } from '../../src/lstm/detector.js';
import { seasonal, TINY } from './fixtures.js';

// @tensorflow/tfjs-node cannot be installed on these machines (its install downloads libtensorflow), so the native
// path is tested as it really behaves here: the module is absent and the detector says so.
describe('LSTM backend selection', { timeout: 120_000 }, () => {
  it("'auto' falls back to WASM and says why tfjs-node was not used", async () => {
    const choice = await selectBackend('auto');
    expect(choice.name).toBe('wasm');
    expect(choice.note).toMatch(
      /@tensorflow\/tfjs-node is not installed; install it with `npm install @tensorflow\/tfjs-node@4\.22\.0`/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it("a forced 'tensorflow' backend fails with a typed error naming the package to install", async () => {
    const d = new LstmDetector({ ...TINY, backend: 'tensorflow' });
    await expect(d.fit(seasonal(200, 1))).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'options.backend',
      message: expect.stringMatching(
        /@tensorflow\/tfjs-node is not installed\. Install it with .*or set backend to 'wasm' or 'cpu'/,
      ),
    });
    expect(d.fitted).toBe(false);
  });

  it('wasm and cpu both train, are reported, and can share one process', async () => {
    const train = seasonal(200, 1);
    const wasm = new LstmDetector({ ...TINY, backend: 'wasm' });
    const cpu = new LstmDetector({ ...TINY, backend: 'cpu' });
    await wasm.fit(train);
    await cpu.fit(train);
    expect([wasm.backend, cpu.backend]).toEqual(['wasm', 'cpu']);
    expect(wasm.toJSON().state?.backend).toBe('wasm');
    // Switching back and forth scores each detector on its own backend, reproducibly.
    const a1 = await wasm.score(train);
    const c1 = await cpu.score(train);
    const a2 = await wasm.score(train);
    expect(tf.getBackend()).toBe('wasm');
    expect(a2.score).toEqual(a1.score);
    expect((await cpu.score(train)).score).toEqual(c1.score);
    // Same seed, different kernels: forecasts agree to float32 rounding, not bit for bit.
    for (let i = 8; i < 200; i += 17) expect(c1.expected![i]).toBeCloseTo(a1.expected![i], 3);
  });

  it('update() right after loadDetector runs at once on the already started backend, like the original', async () => {
    const train = seasonal(200, 1);
    const d = new LstmDetector({ ...TINY, backend: 'cpu' });
    await d.fit(train);
    const copy = loadDetector<LstmDetector>(JSON.parse(JSON.stringify(d)));
    expect(copy.backend).toBeUndefined();
    const next = seasonal(5, 9, { start: 200 });
    for (let i = 0; i < 5; i++) {
      const a = d.update(next.timestamps[i], next.values[i]);
      const b = copy.update(next.timestamps[i], next.values[i]);
      expect(b).toEqual(a);
    }
    expect(copy.backend).toBe('cpu');
  });
});
