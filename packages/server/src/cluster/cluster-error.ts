import { VigilError, type VigilErrorDetails } from '@vigil/core';

/**
 * Codes of {@link ClusterError}:
 * - `SNAPSHOT_CORRUPT`: a partition snapshot in the bucket is missing a chunk or fails its checksum.
 * - `PARTITION_LOST`: another worker claimed the partition (this one's lease had expired); its state is discarded.
 * - `LEADERSHIP_LOST`: another process claimed the incident merger's state; this one stops merging.
 */
export type ClusterErrorCode = 'SNAPSHOT_CORRUPT' | 'PARTITION_LOST' | 'LEADERSHIP_LOST';

/** An error of the NATS JetStream scale-out, with a stable code. */
export class ClusterError extends VigilError<ClusterErrorCode> {
  constructor(code: ClusterErrorCode, message: string, details: VigilErrorDetails = {}) {
    super(code, message, details);
    this.name = 'ClusterError';
  }
}
