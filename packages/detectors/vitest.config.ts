import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'detectors',
    include: ['test/**/*.test.ts'],
    // Model fits (Prophet, isolation forest, LSTM) on a shared 2-core CI machine need more than vitest's 5 s.
    testTimeout: 60_000,
  },
});
