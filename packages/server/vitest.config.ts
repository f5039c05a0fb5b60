import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'server',
    include: ['test/**/*.test.ts'],
    // Servers, real exporters and detector fits on a shared 2-core CI machine need more than vitest's 5 s.
    testTimeout: 60_000,
  },
});
