#!/usr/bin/env node
/**
 * Builds the native half of @vigil/ebpf-native: the N-API addon (node-gyp, linking libbpf), then
 * `build/vmlinux.h` from the running kernel's BTF (bpftool) and every `bpf/*.bpf.c` as a CO-RE object
 * (clang -target bpf). The addon comes first because `node-gyp rebuild` empties `build/`.
 *
 * A machine without the toolchain must still build and install the monorepo, so a missing tool is not a
 * failure here: the TypeScript half still builds, and `build/native-status.json` records what is missing
 * and the apt-get line, which the package's loader puts in the error it throws on import. With
 * VIGIL_REQUIRE_EBPF=1 (CI) a missing piece fails the build instead.
 *
 * It runs as the package's `install` script (so `npm ci` builds it) and again from `build`; the second
 * run returns at once when every output is newer than every input. `--force` rebuilds anyway.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const require = createRequire(import.meta.url);
const APT =
  'apt-get install -y clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool pkg-config make g++ python3';
const required = process.env.VIGIL_REQUIRE_EBPF === '1';

/** True when a previous build succeeded and no source changed since. */
function upToDate() {
  try {
    const status = JSON.parse(readFileSync(join(buildDir, 'native-status.json'), 'utf8'));
    if (!status.ok) return false;
    const sources = readdirSync(join(root, 'bpf')).filter((f) => f.endsWith('.bpf.c'));
    const outputs = [join(buildDir, 'Release', 'vigil_bpf.node')].concat(
      sources.map((f) => join(buildDir, 'bpf', f.replace(/\.c$/, '.o'))),
    );
    const inputs = ['binding.gyp', 'scripts/build-native.mjs']
      .map((f) => join(root, f))
      .concat(readdirSync(join(root, 'bpf')).map((f) => join(root, 'bpf', f)))
      .concat(readdirSync(join(root, 'src', 'addon')).map((f) => join(root, 'src', 'addon', f)));
    const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
    return inputs.every((f) => statSync(f).mtimeMs < oldestOutput);
  } catch {
    return false;
  }
}

if (!process.argv.includes('--force') && upToDate()) {
  console.log('@vigil/ebpf-native: native build is up to date.');
  process.exit(0);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function pkgConfig(name) {
  return has('pkg-config') && spawnSync('pkg-config', ['--exists', name], { stdio: 'ignore' }).status === 0;
}

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(join(buildDir, 'native-status.json'), `${JSON.stringify(status, null, 2)}\n`);
}

function giveUp(missing, detail) {
  const message =
    `@vigil/ebpf-native: skipping the native build (${missing.join(', ')} missing). ` +
    `The TypeScript API still builds; importing it will say what is missing. To build it: ${APT}`;
  writeStatus({ ok: false, missing, aptInstall: APT, detail, date: new Date().toISOString() });
  if (required) {
    console.error(`${message}\nVIGIL_REQUIRE_EBPF=1, so this is an error.`);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

const missing = [];
if (process.platform !== 'linux') missing.push('Linux (eBPF is Linux-only)');
for (const [command, apt] of [
  ['clang', 'clang'],
  ['bpftool', 'bpftool'],
  ['pkg-config', 'pkg-config'],
  ['make', 'make'],
  ['g++', 'g++'],
  ['python3', 'python3'],
]) {
  if (!has(command)) missing.push(`${command} (apt: ${apt})`);
}
for (const [lib, apt] of [
  ['libbpf', 'libbpf-dev'],
  ['libelf', 'libelf-dev'],
  ['zlib', 'zlib1g-dev'],
]) {
  if (!pkgConfig(lib)) missing.push(`${lib} (apt: ${apt})`);
}
if (!existsSync('/sys/kernel/btf/vmlinux')) {
  missing.push('/sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF=y)');
}
for (const dep of ['node-addon-api', 'node-gyp/package.json']) {
  try {
    require.resolve(dep);
  } catch {
    missing.push(`${dep.split('/')[0]} (npm install in the monorepo)`);
  }
}
if (missing.length > 0) giveUp(missing);

// Node's own headers ship with the binary's installation; using them keeps node-gyp from downloading.
const nodeDir = dirname(dirname(process.execPath));
const gypArgs = [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild'];
if (existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) gypArgs.push(`--nodedir=${nodeDir}`);
const gyp = spawnSync(process.execPath, gypArgs, { cwd: root, encoding: 'utf8' });
if (gyp.status !== 0) {
  console.error(gyp.stdout, gyp.stderr);
  giveUp(['a working node-gyp build of the addon'], gyp.stderr.slice(-4000));
}

const bpfOut = join(buildDir, 'bpf');
mkdirSync(bpfOut, { recursive: true });
const vmlinux = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
  maxBuffer: 1 << 30,
});
writeFileSync(join(buildDir, 'vmlinux.h'), vmlinux);

const arch = { x64: 'x86', arm64: 'arm64', s390x: 's390', ppc64: 'powerpc' }[process.arch] ?? process.arch;
const sources = readdirSync(join(root, 'bpf')).filter((f) => f.endsWith('.bpf.c'));
for (const source of sources) {
  const out = join(bpfOut, source.replace(/\.c$/, '.o'));
  const args = ['-g', '-O2', '-target', 'bpf', `-D__TARGET_ARCH_${arch}`, '-Wall'];
  args.push('-I', buildDir, '-I', join(root, 'bpf'), '-c', join(root, 'bpf', source), '-o', out);
  const cc = spawnSync('clang', args, { encoding: 'utf8' });
  if (cc.status !== 0) {
    console.error(cc.stderr);
    giveUp([`a clean clang build of bpf/${source}`], cc.stderr.slice(-4000));
  }
}
writeStatus({ ok: true, missing: [], aptInstall: APT, probes: sources, date: new Date().toISOString() });
console.log(`@vigil/ebpf-native: built the addon and ${sources.length} BPF objects.`);
