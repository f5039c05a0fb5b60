import { defineConfig } from 'tsup';

export default defineConfig({
  // The package's entry points (package.json "exports"): the main one and the subpaths.
  entry: {
    index: 'src/index.ts',
    prophet: 'src/prophet/index.ts',
    lstm: 'src/lstm/index.ts',
    maintenance: 'src/maintenance/index.ts',
  },
  format: ['esm', 'cjs'],
  // Shared code goes to chunks in both formats, so that every entry point sees the same classes (and registers
  // into the same registry): `require('@vigil/detectors/prophet').ProphetDetector` is the class createDetector builds.
  splitting: true,
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url (backend.ts finds tfjs-node relative to the package) in the CJS build too.
  shims: true,
  // tfjs-core's CommonJS build lacks the chained tensor methods and gradients that the @tensorflow/tfjs umbrella
  // bundles; src/lstm/tfjs-runtime.ts bundles them from these ESM subpaths instead (loaded only when LSTM is used).
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
