/**
 * The decoders' byte offsets have one source: src/generated/layouts.ts is generated from the BTF of
 * bpf/layouts.bpf.o (every struct of bpf/events.h that user space reads or writes, as clang laid it out),
 * and this test fails when the committed file and the compiled header disagree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { HTTP_AGG_VALUE, HTTP_REQUEST_INFO } from '../../src/generated/layouts.js';
import { packageRoot } from '../../src/native/package-paths.js';
import { HTTP_AGG_SLOTS } from '../../src/tracing/http-record.js';
import { hasBpftool } from '../helpers/bpftool.js';
import { skipUnlessRequired } from '../helpers/require-ebpf.js';

const object = join(packageRoot(), 'build', 'bpf', 'layouts.bpf.o');

it.skipIf(skipUnlessRequired(!hasBpftool || !existsSync(object)))(
  'src/generated/layouts.ts is what bpf/events.h compiles to (scripts/generate-layouts.mjs --check)',
  () => {
    const r = spawnSync(
      process.execPath,
      [join(packageRoot(), 'scripts', 'generate-layouts.mjs'), '--check'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  },
);

it('derives the HTTP aggregate and path sizes from the layouts (VIGIL_HTTP_SLOTS 32, VIGIL_HTTP_PATH 128)', () => {
  expect(HTTP_AGG_SLOTS).toBe(32);
  expect(HTTP_AGG_VALUE.size).toBe(HTTP_AGG_VALUE.slots + 8 * HTTP_AGG_SLOTS);
  expect(HTTP_REQUEST_INFO.size - HTTP_REQUEST_INFO.path).toBe(128);
});
