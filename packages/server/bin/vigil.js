#!/usr/bin/env node
// Committed, unlike dist/, so that `npm ci` can link the `vigil` bin at install time, before `npm run build` has
// written dist/cli.js.
try {
  await import('../dist/cli.js');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/cli.js')) throw e;
  process.stderr.write('vigil: @vigil/server is not built yet; run `npm run build` first.\n');
  process.exitCode = 1;
}
