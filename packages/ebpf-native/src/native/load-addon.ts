/** Loads the compiled addon once, turning every way that can fail into one actionable error. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { VigilEbpfError } from '../errors.js';
import type { NativeAddon } from './native-types.js';
import { addonPath, nativeStatusPath } from './package-paths.js';

/** The apt-get line that installs everything the native build needs on Debian/Ubuntu. */
export const APT_INSTALL =
  'apt-get install -y clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config make g++ python3';

let cached: NativeAddon | undefined;

interface NativeStatus {
  ok: boolean;
  missing: string[];
  aptInstall?: string;
}

function readStatus(): NativeStatus | undefined {
  try {
    return JSON.parse(readFileSync(nativeStatusPath(), 'utf8')) as NativeStatus;
  } catch {
    return undefined;
  }
}

/**
 * Returns the addon, loading it on first use.
 *
 * @throws {VigilEbpfError} `EBPF_ADDON_UNAVAILABLE` naming what the build lacked and the apt-get line.
 */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new VigilEbpfError('EBPF_ADDON_UNAVAILABLE', `eBPF needs Linux; this is ${process.platform}.`, {
      fix: 'run on a Linux host (kernel 5.8 or newer with BTF).',
    });
  }
  const path = addonPath();
  const status = readStatus();
  if (!existsSync(path)) {
    const what =
      status && !status.ok && status.missing.length > 0
        ? `the native build was skipped because ${status.missing.join(', ')} ${status.missing.length > 1 ? 'were' : 'was'} missing`
        : 'the native addon has not been built (npm 11 skips dependency install scripts unless allowed)';
    throw new VigilEbpfError('EBPF_ADDON_UNAVAILABLE', `@vigil/ebpf-native cannot load: ${what}.`, {
      fix: `${status?.aptInstall ?? APT_INSTALL}; then npm rebuild @vigil/ebpf-native (after npm install-scripts approve @vigil/ebpf-native when it is a dependency).`,
    });
  }
  try {
    cached = createRequire(import.meta.url)(path) as NativeAddon;
    return cached;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new VigilEbpfError(
      'EBPF_ADDON_UNAVAILABLE',
      `@vigil/ebpf-native's addon failed to load: ${message}.`,
      {
        fix: /libbpf|libelf|libz/.test(message)
          ? `install the runtime libraries: apt-get install -y libbpf1 libelf1 zlib1g (or ${APT_INSTALL}).`
          : 'rebuild it for this Node.js: npm run build --workspace @vigil/ebpf-native.',
        cause,
      },
    );
  }
}
