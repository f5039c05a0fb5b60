import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { EventProbe } from '../../src/probes/event-probe.js';
import { type FileOpenEvent, watchFileOpens } from '../../src/probes/file-open-probe.js';
import { run, uniqueMarker } from '../helpers/processes.js';
import { describeEbpf } from '../helpers/require-ebpf.js';

let probe: EventProbe<FileOpenEvent> | undefined;
let dir = '';
afterEach(() => {
  probe?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describeEbpf('watchFileOpens', () => {
  it('reports opens of a watched file and of files under a watched directory, and nothing else', async () => {
    dir = join(tmpdir(), uniqueMarker('vigil-open'));
    mkdirSync(join(dir, 'keys'), { recursive: true });
    const secret = join(dir, 'secret');
    const secretToo = join(dir, 'secret2');
    const key = join(dir, 'keys', 'id_ed25519');
    for (const f of [secret, secretToo, key]) writeFileSync(f, 'x');

    probe = watchFileOpens({ paths: [secret, `${join(dir, 'keys')}/`] });
    closeSync(openSync(secret, 'r'));
    closeSync(openSync(secretToo, 'r')); // not watched: the first rule is exact
    closeSync(openSync(key, 'a'));
    const cat = await run('/bin/cat', [secret]);

    const mine = await probe.waitFor((e) => e.path === secret && e.pid === process.pid);
    expect(mine).toMatchObject({ rule: 0, syscall: 'openat', uid: 0 });
    const viaPrefix = await probe.waitFor((e) => e.path === key);
    expect(viaPrefix).toMatchObject({ rule: 1, pid: process.pid });
    // O_WRONLY | O_CREAT | O_APPEND, as fs.openSync(path, 'a') asks.
    expect((viaPrefix?.flags ?? 0) & 0o2101).toBe(0o2101);
    const fromCat = await probe.waitFor((e) => e.path === secret && e.pid === cat.pid);
    expect(fromCat).toMatchObject({ comm: 'cat', rule: 0 });

    await new Promise((r) => setTimeout(r, 100));
    expect(probe.read().filter((e) => e.path === secretToo)).toEqual([]);
  });

  it('rejects an empty list and over-long paths before loading anything', () => {
    expect(() => watchFileOpens({ paths: [] })).toThrow(
      expect.objectContaining({ code: 'EBPF_INPUT', message: expect.stringContaining('paths') }),
    );
    expect(() => watchFileOpens({ paths: [`/${'a'.repeat(300)}`] })).toThrow(
      expect.objectContaining({ code: 'EBPF_INPUT', message: expect.stringContaining('paths[0]') }),
    );
  });
});
