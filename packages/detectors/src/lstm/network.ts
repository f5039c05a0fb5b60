import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, Sequential } from '@tensorflow/tfjs-layers';
import type { Rng } from '@vigil/core';
import { tfjs } from './tfjs.js';
import type { WindowSet } from './windows.js';

/** The architecture of the forecaster; the weights alone do not say it, so snapshots rebuild it from this. */
export interface NetworkShape {
  /** Input rows per window. */
  readonly window: number;
  /** Columns per row. */
  readonly features: number;
  /** Rows forecast per window. */
  readonly horizon: number;
  /** LSTM units per layer. */
  readonly units: number;
  /** Stacked LSTM layers. */
  readonly layers: number;
}

/**
 * Builds the forecaster: `layers` stacked LSTMs of `units` cells over the window, then a dense layer emitting
 * `horizon × features` values — Telemanom's architecture (Hundman et al. 2018, §3.1), sized by the caller.
 * Initial weights come from `rng`: Glorot-uniform kernels, orthogonal recurrent kernels, forget-gate bias 1
 * (Jozefowicz et al. 2015), so the same seed builds the same network.
 */
export function buildNetwork(shape: NetworkShape, rng: Rng): LayersModel {
  const tf = tfjs();
  // Building leaves four intermediate tensors of the initialisers behind (measured with tf.memory()); tidy frees
  // them and keeps the weights, which are variables.
  let model: Sequential | undefined;
  tf.tidy(() => {
    model = addLayers(tf.sequential(), shape, rng);
  });
  return model as Sequential;
}

function addLayers(model: Sequential, shape: NetworkShape, rng: Rng): Sequential {
  const tf = tfjs();
  const seed = () => rng.int(2 ** 31);
  for (let l = 0; l < shape.layers; l++) {
    model.add(
      tf.layers.lstm({
        units: shape.units,
        returnSequences: l < shape.layers - 1,
        unitForgetBias: true,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seed() }),
        ...(l === 0 ? { inputShape: [shape.window, shape.features] } : {}),
      }),
    );
  }
  model.add(
    tf.layers.dense({
      units: shape.horizon * shape.features,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed() }),
    }),
  );
  return model;
}

/** Longest stretch of training, in ms, between two yields to the event loop. */
export const YIELD_EVERY_MS = 20;

/** Settings of {@link trainNetwork}. */
export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Fraction of windows, the most recent ones, held out for early stopping. */
  readonly validationSplit: number;
  /** Epochs without an improvement larger than `minDelta` before training stops. */
  readonly patience: number;
  readonly minDelta: number;
}

/** Called between epochs and batches: reports an epoch's losses, and throws to stop training (an abort). */
export interface TrainHooks {
  /** Called before every batch, after any yield to the event loop; throwing stops training (tensors are freed). */
  readonly beforeBatch?: () => void;
  /** Called after every epoch with its number and losses. */
  readonly afterEpoch?: (epoch: number, trainLoss: number, validationLoss: number) => void;
}

/** What training did, epoch by epoch (losses are mean squared errors in scaled units). */
export interface TrainReport {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly trainLoss: number[];
  readonly validationLoss: number[];
  readonly trainWindows: number;
  readonly validationWindows: number;
}

/**
 * Trains with Adam on mini-batches shuffled by `rng`, holds out the last `validationSplit` of the windows (in time
 * order, as Keras' `validation_split` does) and stops early when the validation loss stops improving, restoring
 * the best weights. Yields to the event loop (a macrotask, so timers and I/O run: the CPU backend's `data()`
 * resolves as a microtask) at least every {@link YIELD_EVERY_MS} ms, so that a host service keeps serving and an
 * abort from a timer lands while it trains.
 * tfjs' own `fit` shuffles with `Math.random`; this loop exists so that training is reproducible from a seed.
 */
export async function trainNetwork(
  model: LayersModel,
  data: WindowSet,
  shape: NetworkShape,
  settings: TrainSettings,
  rng: Rng,
  hooks: TrainHooks = {},
): Promise<TrainReport> {
  const tf = tfjs();
  const inRow = shape.window * shape.features;
  const outRow = shape.horizon * shape.features;
  const nVal = settings.validationSplit > 0 ? Math.floor(data.count * settings.validationSplit) : 0;
  const nTrain = data.count - nVal;
  const xTrain = tf.tensor3d(data.x.subarray(0, nTrain * inRow), [nTrain, shape.window, shape.features]);
  const yTrain = tf.tensor2d(data.y.subarray(0, nTrain * outRow), [nTrain, outRow]);
  const xVal =
    nVal > 0 ? tf.tensor3d(data.x.subarray(nTrain * inRow), [nVal, shape.window, shape.features]) : xTrain;
  const yVal = nVal > 0 ? tf.tensor2d(data.y.subarray(nTrain * outRow), [nVal, outRow]) : yTrain;
  const optimizer = tf.train.adam(settings.learningRate);
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights = readWeights(model);
  let lastYield = performance.now();
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      rng.shuffle(order);
      let sum = 0;
      for (let b = 0; b < nTrain; b += settings.batchSize) {
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        hooks.beforeBatch?.();
        const idx = order.subarray(b, Math.min(b + settings.batchSize, nTrain));
        const loss = tf.tidy(() => {
          const indices = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(xTrain, indices);
          const yb = tf.gather(yTrain, indices);
          return optimizer.minimize(
            () => tf.losses.meanSquaredError(yb, model.apply(xb, { training: true }) as Tensor),
            true,
          ) as Scalar;
        });
        sum += (await loss.data())[0] * idx.length;
        loss.dispose();
      }
      trainLoss.push(sum / nTrain);
      const val = tf.tidy(() => tf.losses.meanSquaredError(yVal, model.predict(xVal) as Tensor));
      const v = (await val.data())[0];
      val.dispose();
      validationLoss.push(v);
      hooks.afterEpoch?.(epoch, sum / nTrain, v);
      if (v < best - settings.minDelta) {
        best = v;
        bestEpoch = epoch;
        bestWeights = readWeights(model);
      } else if (epoch - bestEpoch >= settings.patience) {
        break;
      }
    }
    // Also when no epoch improved (e.g. a learning rate so large the loss went NaN): back to the initial weights.
    writeWeights(model, bestWeights);
  } finally {
    optimizer.dispose();
    tf.dispose([xTrain, yTrain]);
    if (nVal > 0) tf.dispose([xVal, yVal]);
  }
  return {
    epochs: trainLoss.length,
    bestEpoch,
    trainLoss,
    validationLoss,
    trainWindows: nTrain,
    validationWindows: nVal,
  };
}

/**
 * Forecasts every window in `x` (`count` windows, flattened as from `predictionWindows`) in chunks, so that the
 * intermediate activations of a long series never sit in memory at once; returns `count × horizon × features`
 * values.
 */
export function predictWindows(
  model: LayersModel,
  x: Float32Array,
  count: number,
  shape: NetworkShape,
): Float32Array {
  const tf = tfjs();
  const inRow = shape.window * shape.features;
  const outRow = shape.horizon * shape.features;
  const out = new Float32Array(count * outRow);
  const chunk = 1024;
  for (let k = 0; k < count; k += chunk) {
    const m = Math.min(chunk, count - k);
    const values = tf.tidy(() => {
      const input = tf.tensor3d(x.subarray(k * inRow, (k + m) * inRow), [m, shape.window, shape.features]);
      return (model.predict(input) as Tensor).dataSync() as Float32Array;
    });
    out.set(values, k * outRow);
  }
  return out;
}

/** The model's weights, copied out of the backend, with their shapes (in `model.getWeights()` order). */
export function readWeights(model: LayersModel): { shape: number[]; values: Float32Array }[] {
  return model
    .getWeights()
    .map((w) => ({ shape: [...w.shape], values: (w.dataSync() as Float32Array).slice() }));
}

/** Loads weights read by {@link readWeights} (or decoded from a snapshot) into a model of the same architecture. */
export function writeWeights(
  model: LayersModel,
  weights: readonly { shape: number[]; values: Float32Array }[],
): void {
  const tf = tfjs();
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
