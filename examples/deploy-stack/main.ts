import { join } from 'node:path';
import { applyCommands, writeKustomize } from '@vigil/deploy-manifests';
import { exampleStack } from './stack.js';

// Usage: npm start [-- <otlp-endpoint> [<out-dir>]]
const endpoint = process.argv[2] ?? 'https://otlp.example.com:4317';
const outDir = process.argv[3] ?? join(process.cwd(), 'out');

const bundle = exampleStack(endpoint);
// Secrets 0600, everything else 0644, and no symbolic link followed (a link in the way is an UNSAFE_PATH error).
const files = writeKustomize(bundle, outDir);

const rows = Object.entries(bundle.byTool)
  .filter(([, objects]) => objects.length > 0)
  .map(([tool, objects]) => ({
    tool,
    objects: objects.length,
    kinds: [...new Set(objects.map((o) => o.kind))].join(', '),
  }));
console.table(rows);
console.log(`${bundle.objects.length} objects validated, ${files.length} files in ${outDir}`);
console.log(`apply with:\n  ${applyCommands(bundle, outDir).join('\n  ')}`);
