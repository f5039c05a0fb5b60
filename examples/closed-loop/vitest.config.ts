import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-closed-loop',
    include: ['test/**/*.test.ts'],
  },
});
