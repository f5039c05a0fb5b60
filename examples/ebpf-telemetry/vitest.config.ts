import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-ebpf-telemetry',
    include: ['test/**/*.test.ts'],
  },
});
