import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ebpf-native',
    include: ['test/**/*.test.ts'],
  },
});
