import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { KV } from '@nats-io/kv';
import type { AnomalyEvent, IncidentGrouperState } from '@vigil/core';
import { ClusterError } from './cluster-error.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** An anomaly event in progress as the incident merger tracks it. */
export interface OpenEventEntry {
  /** `<seriesKey>@<start>`. */
  key: string;
  event: AnomalyEvent;
  /** The worker that announced it (or continues it). */
  worker: string;
  /** True after a takeover whose new owner did not list it: closed unless the new owner's replay announces it. */
  orphaned: boolean;
}

/** The incident merger's state at a sequence of the events stream: restore it, then read the stream after `seq`. */
export interface MergerSnapshot {
  readonly version: 1;
  /** The process leading when it was written. */
  readonly owner: string;
  /** Events-stream sequence of the last message applied (0: none). */
  readonly seq: number;
  readonly takenAt: number;
  /** The incident clock, ms (null: no clock yet). */
  readonly clock: number | null;
  readonly grouper: IncidentGrouperState;
  /** Keys (`<seriesKey>@<start>/<change>`) of the events seen most recently, to recognise repeats. */
  readonly seen: readonly string[];
  /** Events in progress, by partition. */
  readonly open: ReadonlyArray<readonly [number, readonly OpenEventEntry[]]>;
}

const KEY = 'merger';

function empty(owner: string): MergerSnapshot {
  return {
    version: 1,
    owner,
    seq: 0,
    takenAt: Date.now(),
    clock: null,
    grouper: { count: 0, open: [] },
    seen: [],
    open: [],
  };
}

/**
 * The incident merger's state in the snapshots bucket (key `merger`, gzipped JSON), fenced like a partition's: a new
 * leader claims it by compare-and-set (so its predecessor's next save fails), and each save is a compare-and-set on
 * the revision the leader last wrote. Saves are written one at a time, in call order.
 *
 * @example
 * const store = new MergerStore(connection.snapshots);
 * const state = await store.claim('worker-a');
 * await store.save({ ...state, seq: 42 });
 */
export class MergerStore {
  readonly #kv: KV;
  #revision = 0;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(kv: KV) {
    this.#kv = kv;
  }

  /** The revision this process holds (0 before a claim). */
  get revision(): number {
    return this.#revision;
  }

  /** Takes the state over for `owner`, returning it (an empty state the first time). */
  async claim(owner: string): Promise<MergerSnapshot> {
    for (;;) {
      const entry = await this.#kv.get(KEY);
      if (entry?.operation !== 'PUT') {
        const state = empty(owner);
        try {
          this.#revision = await this.#kv.create(KEY, await encode(state));
          return state;
        } catch {
          continue; // another process created it meanwhile
        }
      }
      const state = { ...(await decode(entry.value)), owner };
      try {
        this.#revision = await this.#kv.update(KEY, await encode(state), entry.revision);
        return state;
      } catch {
        // changed meanwhile: read it again
      }
    }
  }

  /**
   * Writes `snapshot` if this process still holds the state.
   *
   * @throws {ClusterError} `LEADERSHIP_LOST` when another process claimed the state since.
   */
  save(snapshot: MergerSnapshot): Promise<void> {
    const run = this.#chain.then(async () => {
      const body = await encode(snapshot);
      try {
        this.#revision = await this.#kv.update(KEY, body, this.#revision);
      } catch (e) {
        throw new ClusterError(
          'LEADERSHIP_LOST',
          `The incident merger's state was claimed by another process; this one stops merging (${String((e as Error).message)}).`,
        );
      }
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** The saved state, for tools and tests (no claim). */
  async read(): Promise<MergerSnapshot | undefined> {
    const entry = await this.#kv.get(KEY);
    return entry?.operation === 'PUT' ? decode(entry.value) : undefined;
  }
}

async function encode(state: MergerSnapshot): Promise<Uint8Array> {
  return gzipAsync(Buffer.from(JSON.stringify(state)));
}

async function decode(value: Uint8Array): Promise<MergerSnapshot> {
  const state = JSON.parse((await gunzipAsync(value)).toString('utf8')) as MergerSnapshot;
  if (state?.version !== 1)
    throw new ClusterError(
      'SNAPSHOT_CORRUPT',
      `The incident merger's state has version ${String(state?.version)}; delete key '${KEY}' of the snapshots bucket to start it afresh.`,
    );
  return state;
}
