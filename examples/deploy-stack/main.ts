import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyCommands, kustomizeFiles } from '@vigil/deploy-manifests';
import { exampleStack } from './stack.js';

// Usage: npm start [-- <otlp-endpoint> [<out-dir>]]
const endpoint = process.argv[2] ?? 'https://otlp.example.com:4317';
const outDir = process.argv[3] ?? join(process.cwd(), 'out');

const bundle = exampleStack(endpoint);
const files = kustomizeFiles(bundle);
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(outDir, path)), { recursive: true });
  writeFileSync(join(outDir, path), text);
}

const rows = Object.entries(bundle.byTool)
  .filter(([, objects]) => objects.length > 0)
  .map(([tool, objects]) => ({
    tool,
    objects: objects.length,
    kinds: [...new Set(objects.map((o) => o.kind))].join(', '),
  }));
console.table(rows);
console.log(`${bundle.objects.length} objects validated, ${Object.keys(files).length} files in ${outDir}`);
console.log(`apply with:\n  ${applyCommands(bundle, outDir).join('\n  ')}`);
