import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-demo',
    include: ['test/**/*.test.ts'],
    // Runs the whole demo (under two minutes) in a child process.
    testTimeout: 240_000,
  },
});
