import type { KV } from '@nats-io/kv';
import { rendezvousWeight } from './rendezvous.js';

/** What one round of `PartitionLeases.tick` decided. */
export interface LeaseChanges {
  /** Partitions this worker now holds a lease on and should start consuming. */
  acquired: number[];
  /** Partitions whose lease renewal failed: another worker has them; stop without writing state. */
  lost: number[];
  /** Partitions this worker holds beyond its fair share: hand them off (snapshot, then `release`). */
  surplus: number[];
  /** Live workers seen, this one included. */
  live: string[];
}

/** Counters of a worker's lease renewals. */
export interface LeaseStats {
  /** Renewal rounds that succeeded (heartbeat written). */
  renewals: number;
  /** Partition leases this live worker lost because a renewal came too late (another worker had claimed them). */
  lapses: number;
  /** Renewal rounds that started more than the lease period after the previous successful one. */
  lateRenewals: number;
  /** Longest time between two successful renewal rounds, ms. */
  maxGapMs: number;
}

/** Ticks a partition must stay free before a worker at its fair share takes it anyway. */
const ORPHAN_TICKS = 3;

/**
 * Partition ownership through leases in a JetStream key-value bucket whose entries expire after `leaseMs` (the
 * bucket's TTL). Each worker, every tick: writes its heartbeat `w.<id>`; renews its partition leases `p.<n>` by
 * compare-and-set on the revision it holds (a failed renewal means the lease expired and someone else took it);
 * then, knowing the live workers, claims free partitions up to its fair share ⌈partitions / workers⌉ by
 * create-if-absent, those it has the highest rendezvous weight for first (and any partition left free for three
 * ticks, so none stays orphaned), and reports partitions beyond its fair
 * share as surplus. A dead worker's heartbeat and leases expire together after at most `leaseMs`, and the survivors
 * claim its partitions on their next tick. {@link renew} (heartbeat and renewals only) also runs on its own, from a
 * timer of its own and before heavy work, so a slow claim round or a busy event loop does not let leases lapse.
 *
 * @example
 * const leases = new PartitionLeases(kv, 'worker-a', 16);
 * const { acquired, lost, surplus } = await leases.tick();
 */
export class PartitionLeases {
  readonly #kv: KV;
  readonly #id: string;
  readonly #partitions: number;
  /** Lease revisions this worker holds, by partition. */
  readonly #held = new Map<number, number>();
  /** Free partitions by the number of consecutive ticks they were seen free. */
  #freeFor = new Map<number, number>();
  readonly #leaseMs: number;
  readonly #stats: LeaseStats = { renewals: 0, lapses: 0, lateRenewals: 0, maxGapMs: 0 };
  #renewing: Promise<number[]> | undefined;
  #lastRenewal = Number.NaN;

  constructor(kv: KV, workerId: string, partitions: number, leaseMs = 2000) {
    this.#kv = kv;
    this.#id = workerId;
    this.#partitions = partitions;
    this.#leaseMs = leaseMs;
  }

  /** Renewal counters so far. */
  get stats(): LeaseStats {
    return { ...this.#stats };
  }

  /** Milliseconds since the last successful renewal round (NaN before the first). */
  get sinceRenewal(): number {
    return Date.now() - this.#lastRenewal;
  }

  /**
   * Writes the heartbeat and renews every lease held, all at once; resolves with the partitions whose renewal failed
   * (their lease had expired and another worker claimed them). Concurrent calls share one round.
   */
  renew(): Promise<number[]> {
    this.#renewing ??= this.#renewRound().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  async #renewRound(): Promise<number[]> {
    const started = Date.now();
    if (started - this.#lastRenewal > this.#leaseMs) this.#stats.lateRenewals++;
    await this.#kv.put(`w.${this.#id}`, String(started));
    const lost: number[] = [];
    await Promise.all(
      [...this.#held].map(async ([p, revision]) => {
        try {
          this.#held.set(p, await this.#kv.update(`p.${p}`, this.#id, revision));
        } catch {
          if (this.#held.get(p) !== revision) return; // released or re-claimed meanwhile
          this.#held.delete(p);
          lost.push(p);
        }
      }),
    );
    const now = Date.now();
    if (Number.isFinite(this.#lastRenewal))
      this.#stats.maxGapMs = Math.max(this.#stats.maxGapMs, now - this.#lastRenewal);
    this.#lastRenewal = now;
    this.#stats.renewals++;
    this.#stats.lapses += lost.length;
    return lost;
  }

  /** Partitions this worker holds. */
  get held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** One round: heartbeat, renewals, claims. */
  async tick(): Promise<LeaseChanges> {
    // Renewals first and all at once: a slow round must not let this worker's own leases lapse.
    const lost = await this.renew();
    // A key written while the listing runs can be listed twice: sets, not arrays.
    const workers = new Set<string>();
    const taken = new Set<number>();
    for await (const key of await this.#kv.keys()) {
      if (key.startsWith('w.')) workers.add(key.slice(2));
      else if (key.startsWith('p.')) taken.add(Number(key.slice(2)));
    }
    const live = [...workers].sort();
    const fair = Math.ceil(this.#partitions / Math.max(1, live.length));
    const free: number[] = [];
    for (let p = 0; p < this.#partitions; p++) if (!taken.has(p) && !this.#held.has(p)) free.push(p);
    free.sort((a, b) => rendezvousWeight(this.#id, b) - rendezvousWeight(this.#id, a));
    const acquired: number[] = [];
    for (const p of free) {
      // Beyond the fair share only partitions nobody under it claimed for three ticks: none stays orphaned, and a
      // partition in the middle of a hand-off does not bounce.
      if (this.#held.size >= fair && (this.#freeFor.get(p) ?? 0) < ORPHAN_TICKS) continue;
      try {
        this.#held.set(p, await this.#kv.create(`p.${p}`, this.#id));
        acquired.push(p);
      } catch {
        // another worker was faster
      }
    }
    const freeFor = new Map<number, number>();
    for (const p of free) if (!this.#held.has(p)) freeFor.set(p, (this.#freeFor.get(p) ?? 0) + 1);
    this.#freeFor = freeFor;
    const surplus = this.held
      .sort((a, b) => rendezvousWeight(this.#id, a) - rendezvousWeight(this.#id, b))
      .slice(0, Math.max(0, this.#held.size - fair));
    return { acquired, lost, surplus, live };
  }

  /** Gives up the lease on `p` (after its state was written), so another worker can claim it at once. */
  async release(p: number): Promise<void> {
    const revision = this.#held.get(p);
    this.#held.delete(p);
    if (revision !== undefined)
      await this.#kv.delete(`p.${p}`, { previousSeq: revision }).catch(() => undefined);
  }

  /** Forgets every lease without releasing (they expire): what a crash leaves behind. */
  forget(): void {
    this.#held.clear();
  }

  /** Releases every lease and removes the heartbeat (a graceful stop). */
  async leave(): Promise<void> {
    for (const p of [...this.#held.keys()]) await this.release(p);
    await this.#kv.delete(`w.${this.#id}`).catch(() => undefined);
  }
}
