import { VigilInputError } from '@vigil/core';
import type { Tf } from './tfjs-runtime.js';

interface Runtime {
  readonly tf: Tf;
  readonly setWasmPaths: (prefix: string) => void;
}

let loading: Promise<Runtime> | undefined;
let loaded: Runtime | undefined;

/**
 * Loads TensorFlow.js on first use, so that importing `@vigil/detectors` for `zscore` or `prophet` never loads it:
 * only what the LSTM needs (tfjs-core, tfjs-layers, the cpu and wasm backends), not the `@tensorflow/tfjs`
 * umbrella with its WebGL backend, converter and data packages. Once per process.
 */
export function loadTfjs(): Promise<Tf> {
  if (!loading) {
    loading = import('./tfjs-runtime.js').then((m) => {
      loaded = m;
      return m;
    });
    // A failed load (e.g. a broken install) may be retried after the cause is fixed.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading.then((r) => r.tf);
}

/** True once {@link loadTfjs} has finished in this process. */
export function isTfjsLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * TensorFlow.js after {@link loadTfjs} has finished, synchronously.
 *
 * @throws {VigilInputError} `NOT_READY` before that: `fit`, `score`, `ready` and `LstmDetector.load` load it.
 */
export function tfjs(): Tf {
  if (!loaded) {
    throw new VigilInputError(
      'NOT_READY',
      'TensorFlow.js is not loaded yet in this process: call `await detector.ready()` after restoring an LstmDetector with loadDetector (fit, score and LstmDetector.load do it for you).',
      'detector',
    );
  }
  return loaded.tf;
}

/** Sets where the wasm backend reads its `.wasm` binaries; only after {@link loadTfjs}. */
export function setWasmPaths(prefix: string): void {
  if (!loaded) tfjs();
  loaded?.setWasmPaths(prefix);
}
