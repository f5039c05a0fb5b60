import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'ebpf-native',
    include: ['test/**/*.test.ts'],
    // Real probes wait for kernel events and spawn processes; on a loaded 2-core CI machine a few seconds
    // of scheduling delay must not fail a test (the whole project still runs in about 20 s).
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
