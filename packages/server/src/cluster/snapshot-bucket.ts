import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { KV } from '@nats-io/kv';
import { ClusterError } from './cluster-error.js';
import type { PartitionSnapshot } from './partition-snapshot.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The manifest stored under a partition's key: which chunks hold its snapshot. */
interface Manifest {
  version: 1;
  owner: string;
  /** Stream sequence the snapshot covers (0 when there is no snapshot yet). */
  seq: number;
  /** Which of the two chunk slots holds the snapshot (the other one is written next). */
  slot: 0 | 1;
  chunks: number;
  /** Gzipped bytes, and their SHA-256, checked on load. */
  bytes: number;
  sha256: string;
}

/** A partition claimed in the bucket: its snapshot (if any) and the revision that fences other writers. */
export interface Claim {
  revision: number;
  snapshot: PartitionSnapshot | undefined;
  /** Gzipped bytes of the snapshot loaded. */
  bytes: number;
}

/**
 * Partition snapshots in a JetStream key-value bucket. A snapshot is gzipped JSON split into chunks below NATS'
 * message limit, written into the slot the manifest does not point to, and then made current by a compare-and-set
 * of the manifest (`p.<n>`) on the revision the writer last saw: a worker that lost its partition (its lease
 * expired while it was stalled) cannot overwrite the new owner's state, and a crash mid-write leaves the previous
 * snapshot intact.
 */
export class SnapshotBucket {
  readonly #kv: KV;
  readonly #chunkBytes: number;
  readonly #slots = new Map<number, 0 | 1>();

  constructor(kv: KV, maxPayload: number) {
    this.#kv = kv;
    this.#chunkBytes = Math.max(16 * 1024, maxPayload - 4096);
  }

  /**
   * Takes over partition `p` for `owner`: rewrites its manifest (so a previous owner's compare-and-set fails from
   * now on) and loads the snapshot it points to.
   *
   * @throws {ClusterError} `SNAPSHOT_CORRUPT` when the chunks do not match the manifest's checksum.
   */
  async claim(p: number, owner: string): Promise<Claim> {
    const key = `p.${p}`;
    for (;;) {
      const entry = await this.#kv.get(key);
      if (entry?.operation !== 'PUT') {
        const empty: Manifest = { version: 1, owner, seq: 0, slot: 1, chunks: 0, bytes: 0, sha256: '' };
        try {
          const revision = await this.#kv.create(key, JSON.stringify(empty));
          this.#slots.set(p, 1);
          return { revision, snapshot: undefined, bytes: 0 };
        } catch {
          continue; // someone else created it meanwhile: read it again
        }
      }
      const manifest = JSON.parse(entry.string()) as Manifest;
      let revision: number;
      try {
        revision = await this.#kv.update(key, JSON.stringify({ ...manifest, owner }), entry.revision);
      } catch {
        continue;
      }
      this.#slots.set(p, manifest.slot);
      return { revision, ...(await this.#load(p, manifest)) };
    }
  }

  /**
   * Writes a snapshot of partition `p` if the manifest is still at `revision`; returns the new revision and the
   * gzipped size.
   *
   * @throws {ClusterError} `PARTITION_LOST` when another worker has claimed the partition since.
   */
  async save(
    p: number,
    snapshot: PartitionSnapshot,
    revision: number,
  ): Promise<{ revision: number; bytes: number }> {
    const gz = await gzipAsync(Buffer.from(JSON.stringify(snapshot)));
    const slot: 0 | 1 = this.#slots.get(p) === 0 ? 1 : 0;
    const chunks = Math.ceil(gz.length / this.#chunkBytes);
    for (let i = 0; i < chunks; i++)
      await this.#kv.put(
        `p.${p}.s${slot}.${i}`,
        gz.subarray(i * this.#chunkBytes, (i + 1) * this.#chunkBytes),
      );
    const manifest: Manifest = {
      version: 1,
      owner: snapshot.owner,
      seq: snapshot.seq,
      slot,
      chunks,
      bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
    };
    try {
      const next = await this.#kv.update(`p.${p}`, JSON.stringify(manifest), revision);
      this.#slots.set(p, slot);
      return { revision: next, bytes: gz.length };
    } catch (e) {
      throw new ClusterError(
        'PARTITION_LOST',
        `Partition ${p} was claimed by another worker; this worker's snapshot is discarded (${String((e as Error).message)}).`,
      );
    }
  }

  /** The current snapshot of partition `p`, for tools and tests (no claim, no fencing). */
  async read(p: number): Promise<PartitionSnapshot | undefined> {
    const entry = await this.#kv.get(`p.${p}`);
    if (entry?.operation !== 'PUT') return undefined;
    return (await this.#load(p, JSON.parse(entry.string()) as Manifest)).snapshot;
  }

  async #load(
    p: number,
    manifest: Manifest,
  ): Promise<{ snapshot: PartitionSnapshot | undefined; bytes: number }> {
    if (manifest.chunks === 0) return { snapshot: undefined, bytes: 0 };
    const parts: Uint8Array[] = [];
    for (let i = 0; i < manifest.chunks; i++) {
      const chunk = await this.#kv.get(`p.${p}.s${manifest.slot}.${i}`);
      if (chunk?.operation !== 'PUT')
        throw new ClusterError('SNAPSHOT_CORRUPT', `Snapshot of partition ${p}: chunk ${i} is missing.`);
      parts.push(chunk.value);
    }
    const gz = Buffer.concat(parts);
    if (createHash('sha256').update(gz).digest('hex') !== manifest.sha256)
      throw new ClusterError(
        'SNAPSHOT_CORRUPT',
        `Snapshot of partition ${p} does not match its checksum; delete key p.${p} of the snapshots bucket to rebuild it from the stream.`,
      );
    const snapshot = JSON.parse((await gunzipAsync(gz)).toString('utf8')) as PartitionSnapshot;
    return { snapshot, bytes: gz.length };
  }
}
