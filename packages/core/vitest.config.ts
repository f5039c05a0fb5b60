import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    // Some tests draw hundreds of thousands of samples; leave room on a loaded CI machine.
    testTimeout: 30_000,
  },
});
