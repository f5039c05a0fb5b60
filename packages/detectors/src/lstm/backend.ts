import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { VigilInputError } from '@vigil/core';
import { loadTfjs, setWasmPaths, tfjs } from './tfjs.js';

/**
 * Which TensorFlow.js backend an {@link LstmDetector} runs on: `'auto'` picks the fastest one available
 * (`'tensorflow'` from `@tensorflow/tfjs-node` when installed, else `'wasm'`, else `'cpu'`); the others force one.
 */
export type LstmBackend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** A backend that was selected, and why. */
export interface BackendChoice {
  /** The TensorFlow.js backend name in use. */
  readonly name: 'tensorflow' | 'wasm' | 'cpu';
  /** Why this backend and not a faster one; empty when the first choice was available. */
  readonly note: string;
}

// The native backend is an optional peer dependency: a variable specifier keeps bundlers and tsc from resolving it.
const TFJS_NODE = '@tensorflow/tfjs-node';
const tfjsNodeInstall = () => `npm install ${TFJS_NODE}@${tfjs().version_core}`;

const choices = new Map<LstmBackend, Promise<BackendChoice>>();
const settled = new Map<LstmBackend, BackendChoice>();

/** The backend {@link selectBackend} already chose for `preference` in this process, if it has finished. */
export function settledBackend(preference: LstmBackend): BackendChoice | undefined {
  return settled.get(preference);
}

/**
 * Selects and initialises a TensorFlow.js backend (once per preference per process) and makes it current.
 *
 * Native first because tfjs-node runs TensorFlow's C++ kernels; WASM next because its XNNPACK kernels are several
 * times faster than the pure-JavaScript CPU backend; CPU last because it always works.
 *
 * @throws {VigilInputError} `INVALID_OPTION` (field `options.backend`) when a forced backend cannot start, naming
 *   the package to install or the backend to choose instead.
 * @example
 * const { name, note } = await selectBackend('auto'); // { name: 'wasm', note: '@tensorflow/tfjs-node is not installed; …' }
 */
export function selectBackend(preference: LstmBackend): Promise<BackendChoice> {
  let choice = choices.get(preference);
  if (!choice) {
    choice = initialise(preference);
    choices.set(preference, choice);
    // A failed forced selection may succeed later (e.g. after the package is installed in a long-lived REPL).
    choice.catch(() => choices.delete(preference));
  }
  return choice.then((c) => {
    settled.set(preference, c);
    useBackend(c.name);
    return c;
  });
}

/**
 * Makes an already initialised backend current, synchronously (tfjs switches at once when no async init is
 * pending), so that several detectors on different backends can share one process.
 */
export function useBackend(name: BackendChoice['name']): void {
  const tf = tfjs();
  if (tf.getBackend() !== name) void tf.setBackend(name);
}

/** True when `name` has been initialised in this process, so {@link useBackend} can switch to it synchronously. */
export function isBackendReady(name: string): boolean {
  return tfjs().engine().registry[name] !== undefined;
}

async function initialise(preference: LstmBackend): Promise<BackendChoice> {
  const tf = await loadTfjs();
  const notes: string[] = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    const failure = await startNative();
    if (failure === '') return { name: 'tensorflow', note: '' };
    if (preference === 'tensorflow') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `options.backend is 'tensorflow' but ${failure}. Install it with \`${tfjsNodeInstall()}\` (it downloads libtensorflow), or set backend to 'wasm' or 'cpu'.`,
        'options.backend',
      );
    }
    notes.push(`${failure}; install it with \`${tfjsNodeInstall()}\` for native speed`);
  }
  if (preference === 'auto' || preference === 'wasm') {
    const failure = await startWasm();
    if (failure === '') return report({ name: 'wasm', note: notes.join('; ') });
    if (preference === 'wasm') {
      throw new VigilInputError(
        'INVALID_OPTION',
        `options.backend is 'wasm' but ${failure}. Reinstall @tensorflow/tfjs-backend-wasm@${tf.version_core}, or set backend to 'cpu'.`,
        'options.backend',
      );
    }
    notes.push(failure);
  }
  if (!(await tf.setBackend('cpu'))) {
    throw new VigilInputError(
      'INVALID_OPTION',
      'The TensorFlow.js CPU backend failed to start.',
      'options.backend',
    );
  }
  return report({ name: 'cpu', note: notes.join('; ') });
}

function report(choice: BackendChoice): BackendChoice {
  if (choice.note) diag.info(`vigil lstm: using the ${choice.name} backend: ${choice.note}`);
  return choice;
}

// Returns '' on success, else why the native backend is unavailable.
async function startNative(): Promise<string> {
  const tf = tfjs();
  try {
    await import(TFJS_NODE);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // Node says so with a code; bundlers and test runners that resolve imports themselves only with a message.
    const missing =
      code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      /Cannot find (module|package)|Could not resolve|Failed to load url/i.test((e as Error).message);
    if (missing) return `${TFJS_NODE} is not installed`;
    return `${TFJS_NODE} failed to load (${(e as Error).message})`;
  }
  try {
    if (await tf.setBackend('tensorflow')) return '';
  } catch {
    // fall through: reported below
  }
  return `${TFJS_NODE} is installed but its 'tensorflow' backend did not start (is it the same version as @tensorflow/tfjs-core ${tf.version_core}?)`;
}

let wasmPathsSet = false;

async function startWasm(): Promise<string> {
  const tf = tfjs();
  try {
    if (!wasmPathsSet && !isBackendReady('wasm')) {
      // The .wasm binaries ship next to the package's entry point; loading them from disk keeps the network out.
      const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
      setWasmPaths(`${join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm')), '')}/`);
      wasmPathsSet = true;
    }
    if (await tf.setBackend('wasm')) return '';
    return 'the WASM backend did not start';
  } catch (e) {
    return `the WASM backend did not start (${(e as Error).message})`;
  }
}
