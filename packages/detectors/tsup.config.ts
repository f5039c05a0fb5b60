import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // tfjs-core's CommonJS build lacks the chained tensor methods and gradients that the @tensorflow/tfjs umbrella
  // bundles; src/lstm/tfjs-runtime.ts bundles them from these ESM subpaths instead (loaded only when LSTM is used).
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});
