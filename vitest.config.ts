import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each project has its own config (timeouts included: projects do not inherit them from here).
    projects: ['packages/*', 'examples/*', 'bench'],
  },
});
