/** Where the built native artefacts live, found from this module whether it runs from src/ or dist/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory of @vigil/ebpf-native's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === '@vigil/ebpf-native') {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the @vigil/ebpf-native package root');
    dir = parent;
  }
}

/** Absolute path of a compiled probe object, e.g. `bpfObjectPath('process')`. */
export function bpfObjectPath(probe: string): string {
  return join(packageRoot(), 'build', 'bpf', `${probe}.bpf.o`);
}

/** Absolute path of the compiled addon. */
export function addonPath(): string {
  return join(packageRoot(), 'build', 'Release', 'vigil_bpf.node');
}

/** Absolute path of the native build's status record. */
export function nativeStatusPath(): string {
  return join(packageRoot(), 'build', 'native-status.json');
}
