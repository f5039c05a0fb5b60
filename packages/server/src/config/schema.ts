import { z } from 'zod';
import { clusterSection } from './cluster-section.js';
import { ebpfSection } from './ebpf-section.js';
import {
  actionsSection,
  adminSection,
  maintenanceSection,
  outputsSection,
  pipelineSection,
  receiversSection,
  stateSection,
} from './sections.js';

/** The sections of `vigil.yaml`, each with its own schema. */
export const configSections = {
  receivers: receiversSection,
  pipeline: pipelineSection,
  maintenance: maintenanceSection,
  outputs: outputsSection,
  state: stateSection,
  admin: adminSection,
  actions: actionsSection,
  cluster: clusterSection,
  ebpf: ebpfSection,
};

/** The whole configuration schema. */
export const configSchema = z.strictObject(configSections);

/** A parsed configuration with every default filled in. */
export type VigilConfig = z.infer<typeof configSchema>;
/** What a user writes: every field optional where a default exists. */
export type VigilConfigInput = z.input<typeof configSchema>;
