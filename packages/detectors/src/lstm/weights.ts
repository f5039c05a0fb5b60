import { VigilInputError } from '@vigil/core';

/** A named weight tensor in a snapshot: its shape and its float32 values as little-endian base64. */
export interface EncodedWeight {
  readonly shape: number[];
  readonly data: string;
}

/**
 * Encodes float32 values as base64 of their little-endian bytes: 4 bytes per weight instead of ~20 characters of
 * decimal JSON, and exact, so a restored model predicts bit-identically.
 *
 * @example
 * encodeFloat32(Float32Array.of(1)); // 'AACAPw=='
 */
export function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return Buffer.from(bytes.buffer).toString('base64');
}

/**
 * Decodes {@link encodeFloat32} output, checking that it holds `expected` values.
 *
 * @throws {VigilInputError} `INVALID_SNAPSHOT` naming `field` when the text is not base64 of `expected` floats.
 */
export function decodeFloat32(text: unknown, expected: number, field: string): Float32Array {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'base64') : undefined;
  if (!bytes || bytes.length !== expected * 4) {
    throw new VigilInputError(
      'INVALID_SNAPSHOT',
      `${field} must be base64 of ${expected} little-endian float32 values (${expected * 4} bytes); got ${bytes ? `${bytes.length} bytes` : typeof text}. Re-save the detector with toJSON().`,
      field,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
