import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', environment: 'src/environment-entry.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The CJS build needs import.meta.url to find the addon next to the package.
  shims: true,
});
