// Loaded only through `loadTfjs()` (a dynamic import), so that importing @vigil/detectors never loads TensorFlow.js.
// Importing a backend registers it. tfjs-core's CommonJS build (what Node loads) registers neither the chained tensor
// methods tfjs-layers calls (`x.flatten()`) nor the gradients training needs: the @tensorflow/tfjs umbrella bundles
// both, and so does this package (tsup.config.ts inlines these two subpaths). They register into tfjs' global
// registries, so they act on the same engine as the tfjs-core that Node loads.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as core from '@tensorflow/tfjs-core';
import * as layers from '@tensorflow/tfjs-layers';

export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The parts of TensorFlow.js the LSTM uses: tensors, training and IO (tfjs-core) and the Keras layers API. */
export type Tf = typeof core & typeof layers;

/** tfjs-core and tfjs-layers as one namespace, as the umbrella package exports them. */
export const tf: Tf = { ...core, ...layers };
