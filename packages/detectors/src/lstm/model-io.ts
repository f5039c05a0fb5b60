import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VigilInputError } from '@vigil/core';
import { readWeights } from './network.js';
import { tfjs } from './tfjs.js';

/** File names inside a saved detector directory. */
export const MODEL_FILES = { model: 'model.json', weights: 'weights.bin', detector: 'vigil.json' } as const;

/**
 * Writes the network with tfjs' own save path (`model.save` through an IO handler) as `model.json` +
 * `weights.bin` — the layout `tf.loadLayersModel('file://…/model.json')` of tfjs-node reads — next to `vigil.json`,
 * the detector's snapshot without its weights.
 */
export async function saveModelDirectory(dir: string, model: LayersModel, detector: unknown): Promise<void> {
  const tf = tfjs();
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      await writeFile(join(dir, MODEL_FILES.weights), new Uint8Array(weightData));
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${MODEL_FILES.weights}`], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, MODEL_FILES.model), JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  await writeFile(join(dir, MODEL_FILES.detector), `${JSON.stringify(detector)}\n`);
}

/**
 * Reads the detector snapshot (without weights) of a directory written by {@link saveModelDirectory}.
 *
 * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the file that is missing or not JSON.
 */
export function readSavedDetector(dir: string): Promise<unknown> {
  return readJson(dir, MODEL_FILES.detector);
}

/**
 * Loads the network of a directory written by {@link saveModelDirectory} through `tf.loadLayersModel` (so tfjs
 * checks the topology against the weights) and returns its weights, on the current backend.
 *
 * @throws {VigilInputError} `INVALID_SNAPSHOT` naming the file that is missing or malformed.
 */
export async function loadModelWeights(dir: string): Promise<{ shape: number[]; values: Float32Array }[]> {
  const manifest = (await readJson(dir, MODEL_FILES.model)) as {
    modelTopology?: io.ModelArtifacts['modelTopology'];
    weightsManifest?: { weights?: io.WeightsManifestEntry[] }[];
  } | null;
  const bytes = await readBytes(dir, MODEL_FILES.weights);
  const specs = manifest?.weightsManifest?.[0]?.weights;
  if (!manifest?.modelTopology || !Array.isArray(specs)) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `${join(dir, MODEL_FILES.model)} is not a tfjs layers model (needs modelTopology and weightsManifest); save it with detector.save(dir).`,
      MODEL_FILES.model,
    );
  }
  const tf = tfjs();
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: specs, weightData }),
  );
  try {
    return readWeights(model);
  } finally {
    model.dispose();
  }
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const text = (await readBytes(dir, name)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `${join(dir, name)} is not valid JSON (${(e as Error).message}); save the detector again with detector.save(dir).`,
      name,
    );
  }
}

async function readBytes(dir: string, name: string): Promise<Buffer> {
  const path = join(dir, name);
  try {
    return await readFile(path);
  } catch (e) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `Cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass a directory written by detector.save(dir).`,
      name,
    );
  }
}
