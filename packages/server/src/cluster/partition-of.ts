import { hash32 } from './hash32.js';

/**
 * The partition of a series: {@link hash32} of its key modulo the partition count. Stable across processes and
 * versions, so every receiver routes a series to the same partition and that partition's worker sees all its points.
 *
 * @example
 * partitionOf('checkout/latency', 16); // → 0..15, the same on every machine
 */
export function partitionOf(seriesKey: string, partitions: number): number {
  return hash32(seriesKey) % partitions;
}
