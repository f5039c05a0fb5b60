/**
 * LSTM detector on the two TensorFlow.js backends available everywhere, side by side in one run: time per training
 * epoch, batch scoring and streaming throughput, and accuracy on injected spikes. (tfjs-node, the third backend,
 * cannot be installed on the CI machines: its install downloads libtensorflow.) Timings on shared cores are noisy;
 * compare the wasm/cpu ratios measured here, in the same process.
 */
import { loadDetector } from '@vigil/core';
import { LstmDetector } from '@vigil/detectors/lstm';
import { precisionRecall, seasonal, withSpikes } from '../../packages/detectors/test/lstm/fixtures.js';
import { progress, type Row, timeIt, writeResult } from '../lib/report.js';

const TRAIN = 2000;
const TEST = 2000;
const EPOCHS = 5;
const STREAM = 300;
// The detector's defaults except a fixed number of epochs (patience above it) so every epoch is timed.
const options = {
  window: 32,
  units: 32,
  batchSize: 64,
  epochs: EPOCHS,
  patience: EPOCHS + 1,
  seed: 1,
} as const;

const train = seasonal(TRAIN, 1);
const test = seasonal(TEST, 2, { start: TRAIN });
const spikes = Array.from({ length: 20 }, (_, k) => 60 + k * 97);
const spiked = withSpikes(test, spikes, 2.5);

const rows: Row[] = [];
let echo: { precision: number; recall: number } | undefined;
for (const backend of ['wasm', 'cpu'] as const) {
  progress(`${backend}: training …`);
  const d = new LstmDetector({ ...options, backend });
  const fitMs = await timeIt(() => d.fit(train, { onProgress: (p) => progress(`${backend}: ${p.message}`) }));
  const t = d.training!;
  // Throughput on clean data: one forecasting pass (data with flags takes a second, masked pass).
  const scoreMs = await timeIt(() => d.score(test), 3, true);
  const s = await d.score(spiked);
  const { precision, recall } = precisionRecall(s.isAnomaly, new Set(spikes));
  if (backend === 'wasm') {
    // The same network scoring without replacing flagged values by their forecasts: spikes echo in later windows.
    const snap = d.toJSON();
    const raw = loadDetector<LstmDetector>({
      ...snap,
      options: { ...snap.options, replaceAnomalies: false },
    });
    echo = precisionRecall((await raw.score(spiked)).isAnomaly, new Set(spikes));
  }
  const t0 = performance.now();
  for (let i = 0; i < STREAM; i++) d.update(test.timestamps[i], test.values[i]);
  const updateMs = performance.now() - t0;
  rows.push({
    backend: d.backend ?? backend,
    trainPoints: TRAIN,
    epochs: t.epochs,
    // Fit also forecasts the training series once for calibration; an epoch is the rest divided by the epochs.
    msPerEpoch: (fitMs - scoreMs * (TRAIN / TEST)) / t.epochs,
    fitMs,
    scorePointsPerSec: TEST / (scoreMs / 1000),
    updatePointsPerSec: STREAM / (updateMs / 1000),
    validationMse: t.validationLoss[t.bestEpoch - 1],
    spikePrecision: precision,
    spikeRecall: recall,
  });
}

// Accuracy after training to early stopping (WASM only: the CPU backend would take minutes), for the README.
const trained = new LstmDetector({ ...options, epochs: 40, patience: 5, backend: 'wasm' });
const trainedFitMs = await timeIt(() => trained.fit(train));
const trainedScores = await trained.score(spiked);
const cleanFlags = (await trained.score(test)).isAnomaly.reduce((a, b) => a + b, 0);
rows.push({
  backend: 'wasm, early stopping',
  trainPoints: TRAIN,
  epochs: trained.training!.epochs,
  fitMs: trainedFitMs,
  validationMse: trained.training!.validationLoss[trained.training!.bestEpoch - 1],
  ...prefix('spike', precisionRecall(trainedScores.isAnomaly, new Set(spikes))),
  cleanFalsePositives: cleanFlags,
});

function prefix(p: string, o: { precision: number; recall: number }): Row {
  return { [`${p}Precision`]: o.precision, [`${p}Recall`]: o.recall };
}

const [wasm, cpu] = rows;
const ratio = (k: string) => Number(cpu[k]) / Number(wasm[k]);
writeResult('lstm', rows, {
  options,
  note: 'tfjs-node not installable here (downloads libtensorflow); wasm vs cpu in one process. Spikes: 20 of +2.5 (8σ of the noise) in 2000 test points.',
  wasmSpeedup: {
    epoch: ratio('msPerEpoch'),
    score: 1 / ratio('scorePointsPerSec'),
    update: 1 / ratio('updatePointsPerSec'),
  },
  withoutReplacingAnomalies: echo,
});
