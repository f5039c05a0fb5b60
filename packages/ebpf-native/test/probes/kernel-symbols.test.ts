import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelSymbols } from '../../src/probes/kernel-symbols.js';

describe('KernelSymbols', () => {
  it('shares one table per process, read again once it is older than the given age', async () => {
    const a = KernelSymbols.shared();
    expect(KernelSymbols.shared()).toBe(a);
    await new Promise((r) => setTimeout(r, 5));
    const b = KernelSymbols.shared(1);
    expect(b).not.toBe(a);
    // The same kernel, read again; BPF programs loaded or unloaded meanwhile (other tests) add or remove a few.
    expect(Math.abs(b.size - a.size)).toBeLessThan(a.size / 100 + 10);
    expect(KernelSymbols.shared()).toBe(b);
  });

  it('resolves to the nearest text symbol below, with the offset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-kallsyms-'));
    try {
      const file = join(dir, 'kallsyms');
      writeFileSync(
        file,
        [
          'ffffffff81000000 T _stext',
          'ffffffff81000100 t helper',
          'ffffffff81000080 D data_not_code',
          'ffffffff81000200 T vfs_statx',
          '',
        ].join('\n'),
      );
      const k = KernelSymbols.load(file);
      expect(k.size).toBe(3);
      expect(k.resolve(0xffffffff81000200n)).toBe('vfs_statx');
      expect(k.resolve(0xffffffff81000234n)).toBe('vfs_statx+0x34');
      expect(k.resolve(0xffffffff81000090n)).toBe('_stext+0x90');
      expect(k.resolve(0x1000n)).toBe('0x1000');
      expect(KernelSymbols.load(join(dir, 'missing')).size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
