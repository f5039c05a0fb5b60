import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy-manifests',
    include: ['test/**/*.test.ts'],
    // Compiling Tetragon's ~430 kB CRD schemas takes seconds on a shared 2-core CI runner.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The generators are pure, so test files can share one module graph per worker; the compiled upstream
    // schemas (seconds each) are then built once per worker instead of once per file.
    isolate: false,
  },
});
