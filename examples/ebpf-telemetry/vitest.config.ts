import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-ebpf-telemetry',
    include: ['test/**/*.test.ts'],
    // The example watches the host for a second and makes its own traffic; allow for a loaded machine.
    testTimeout: 30_000,
  },
});
