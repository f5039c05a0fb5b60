import { defineConfig } from 'tsup';

export default defineConfig({
  // The fit worker is its own file beside the bundle: the Pipeline starts worker threads on dist/fit-worker.js.
  entry: { index: 'src/index.ts', 'fit-worker': 'src/pipeline/fit-worker.ts' },
  // import.meta.url (which locates the worker) in the CommonJS build too.
  shims: true,
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
