import { hash32 } from './hash32.js';

/**
 * Highest-random-weight ("rendezvous") preference of `worker` for `partition`: every worker computes the same
 * weights, so they agree on who should own what without talking, and a worker joining or leaving moves only the
 * partitions it wins or held (Thaler & Ravishankar 1998, "Using name-based mappings to increase hit rates").
 *
 * @example
 * const owner = workers.reduce((a, b) => (rendezvousWeight(b, 3) > rendezvousWeight(a, 3) ? b : a));
 */
export function rendezvousWeight(worker: string, partition: number): number {
  return hash32(`${worker}/${partition}`);
}
