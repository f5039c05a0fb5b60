import type { VigilConfig } from '../config/schema.js';

/** The parsed `cluster` section of the configuration. */
export type ClusterOptions = NonNullable<VigilConfig['cluster']>;
