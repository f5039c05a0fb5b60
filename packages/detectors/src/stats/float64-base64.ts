/**
 * Float64 values as little-endian base64, the compact and exact form snapshots use for long numeric buffers
 * (JSON numbers would be about twice the size).
 *
 * @example
 * decodeFloat64(encodeFloat64([1.5, -2])); // Float64Array [1.5, -2]
 */
export function encodeFloat64(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return Buffer.from(bytes).toString('base64');
}

/**
 * Inverse of {@link encodeFloat64}.
 * @throws {RangeError} when the decoded length is not a multiple of 8 bytes (the caller wraps it in a typed error).
 */
export function decodeFloat64(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 8 !== 0)
    throw new RangeError(`${bytes.length} bytes is not a whole number of float64 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
