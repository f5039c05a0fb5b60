import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// Test files that validate against upstream schemas kept beside the repository (../shared/schemas, never copied
// into it). On a fresh clone without that folder they are skipped, and this says so; CI sets VIGIL_REQUIRE_SHARED=1,
// under which they run and fail if the schemas are missing.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const schemas = join(process.env.VIGIL_SHARED_DIR ?? join(repoRoot, '..', 'shared'), 'schemas');
const NEEDS_UPSTREAM_SCHEMAS = [
  'test/helpers/schemas.test.ts',
  'test/stack/stack.test.ts',
  'test/vigil/manifests.test.ts',
  'test/beyla/manifests.test.ts',
  'test/tetragon/policy.test.ts',
  'test/tetragon/manifests.test.ts',
  'test/tetragon/library.test.ts',
  'test/pixie/manifests.test.ts',
];
const skipSchemaTests = !existsSync(schemas) && process.env.VIGIL_REQUIRE_SHARED !== '1';
if (skipSchemaTests) {
  console.warn(
    `deploy-manifests: skipping ${NEEDS_UPSTREAM_SCHEMAS.length} test files that validate against upstream schemas: ` +
      `${schemas} not found (put the shared folder beside the repository; VIGIL_REQUIRE_SHARED=1 makes this an error).`,
  );
}

export default defineProject({
  test: {
    name: 'deploy-manifests',
    include: ['test/**/*.test.ts'],
    exclude: skipSchemaTests ? NEEDS_UPSTREAM_SCHEMAS : [],
    // Compiling Tetragon's ~430 kB CRD schemas takes seconds on a shared 2-core CI runner.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The generators are pure, so test files can share one module graph per worker; the compiled upstream
    // schemas (seconds each) are then built once per worker instead of once per file.
    isolate: false,
  },
});
