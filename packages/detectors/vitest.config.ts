import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'detectors',
    include: ['test/**/*.test.ts'],
  },
});
