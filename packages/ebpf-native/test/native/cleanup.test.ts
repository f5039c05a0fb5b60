/**
 * Kernel resources must not outlive their owner: a worker thread that ends without close(), or an object
 * that is garbage-collected, detaches its links (the addon's env cleanup hook and ObjectWrap finaliser).
 * Links are counted with bpftool, from outside the owner.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { packageRoot } from '../../src/native/package-paths.js';
import { hasBpftool, linksOf, newestProgramId } from '../helpers/bpftool.js';
import { describeEbpf, skipUnlessRequired } from '../helpers/require-ebpf.js';

const dist = pathToFileURL(join(packageRoot(), 'dist', 'index.js')).href;

describeEbpf('native cleanup', () => {
  it.skipIf(skipUnlessRequired(!hasBpftool))(
    'detaches everything a worker thread attached when the worker ends without close()',
    async () => {
      const since = newestProgramId();
      const before = linksOf('count_getppid', since);
      const source = `
      import { parentPort } from 'node:worker_threads';
      import { BpfObject, bpfObjectPath } from ${JSON.stringify(dist)};
      const obj = BpfObject.open(bpfObjectPath('test-probes'));
      for (const p of obj.programs) obj.setAutoload(p.name, p.name === 'count_getppid');
      obj.load();
      obj.attach('count_getppid');
      parentPort.postMessage('attached');
      // Referenced from the timer: an unreferenced object may be garbage-collected, which detaches it too.
      setInterval(() => obj, 1000);
    `;
      const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      expect(linksOf('count_getppid', since)).toBe(before + 1);
      await worker.terminate();
      expect(linksOf('count_getppid', since)).toBe(before);
    },
  );

  it.skipIf(skipUnlessRequired(!hasBpftool))(
    'detaches the links of an object that is garbage-collected',
    () => {
      const script = `
      import { spawnSync } from 'node:child_process';
      import { BpfObject, bpfObjectPath } from ${JSON.stringify(dist)};
      const count = () => {
        const progs = JSON.parse(spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }).stdout);
        const ids = new Set(progs.filter((p) => p.name === 'count_getppid').map((p) => p.id));
        return JSON.parse(spawnSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' }).stdout).filter((l) => ids.has(l.prog_id)).length;
      };
      const before = count();
      (() => {
        const obj = BpfObject.open(bpfObjectPath('test-probes'));
        for (const p of obj.programs) obj.setAutoload(p.name, p.name === 'count_getppid');
        obj.load();
        obj.attach('count_getppid');
      })();
      const attached = count();
      for (let i = 0; i < 10 && count() > before; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ before, attached, after: count() }));
    `;
      const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(out.stderr).toBe('');
      const { before, attached, after } = JSON.parse(out.stdout);
      expect(attached).toBe(before + 1);
      expect(after).toBe(before);
    },
  );
});
