import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'bench'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
