import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-deploy-stack', include: ['test/**/*.test.ts'] },
});
