import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineSnapshot } from '@vigil/core';

/**
 * Keeps the Pipeline's snapshot in a folder as `pipeline.json`, written to a temporary file and renamed over the old
 * one so a crash mid-write never leaves a torn snapshot.
 *
 * @example
 * const store = new SnapshotStore('/var/lib/vigil');
 * await store.save(pipeline.snapshot());
 */
export class SnapshotStore {
  readonly dir: string;
  readonly file: string;
  /** Bytes of the last snapshot written. */
  lastBytes = 0;

  constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, 'pipeline.json');
  }

  async save(snapshot: PipelineSnapshot): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const text = JSON.stringify(snapshot);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, this.file);
    this.lastBytes = Buffer.byteLength(text);
  }

  /** The saved snapshot, or undefined when there is none yet. */
  async load(): Promise<PipelineSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return JSON.parse(text) as PipelineSnapshot;
  }
}
