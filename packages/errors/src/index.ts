export type { VigilErrorDetails } from './vigil-error.js';
export { VigilError } from './vigil-error.js';
