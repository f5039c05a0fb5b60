import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-quickstart',
    include: ['test/**/*.test.ts'],
    // Runs the example end to end in a child process.
    testTimeout: 120_000,
  },
});
