import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw } from 'node:zlib';
import type { OtlpMetricsRequest } from '@vigil/core';
import { otlpTypes } from './proto-root.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

/** The two OTLP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

/** Why a request was refused: the HTTP status to answer and a message for the client. */
export interface OtlpRejection {
  readonly status: 400 | 413 | 415;
  readonly message: string;
}

/** The encoding named by a `Content-Type` header, or undefined when it is neither OTLP encoding. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * Undoes `Content-Encoding` (identity, gzip, deflate) without ever holding more than `maxBytes` of output, so a
 * small compressed bomb is refused with 413 instead of filling memory.
 */
export async function decompress(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer | OtlpRejection> {
  const enc = (contentEncoding ?? 'identity').trim().toLowerCase();
  const opts = { maxOutputLength: maxBytes };
  try {
    if (enc === '' || enc === 'identity') return body;
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzipAsync(body, opts);
    if (enc === 'deflate') {
      // HTTP's deflate is zlib-wrapped, but some clients send raw deflate: accept both.
      try {
        return await inflateAsync(body, opts);
      } catch (e) {
        if (isTooLarge(e)) throw e;
        return await inflateRawAsync(body, opts);
      }
    }
  } catch (e) {
    if (isTooLarge(e)) return { status: 413, message: `Decompressed body larger than ${maxBytes} bytes.` };
    return { status: 400, message: `Body is not valid ${enc} data.` };
  }
  return {
    status: 415,
    message: `Content-Encoding '${enc}' is not supported: send gzip, deflate or an uncompressed body.`,
  };
}

function isTooLarge(e: unknown): boolean {
  return (e as { code?: string })?.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
}

/**
 * Decodes an OTLP `ExportMetricsServiceRequest` into the OTLP/JSON object shape (camelCase fields, 64-bit integers
 * as decimal strings) that `OtlpTranslator` reads, whichever the wire encoding. A body of the wrong shape is a 400
 * whose message names the first wrong field.
 */
export function decodeMetricsRequest(
  body: Buffer,
  encoding: OtlpEncoding,
): OtlpMetricsRequest | OtlpRejection {
  if (encoding === 'protobuf') {
    try {
      const { request } = otlpTypes();
      return request.toObject(request.decode(body), {
        longs: String,
        enums: Number,
        bytes: String,
        defaults: false,
      }) as OtlpMetricsRequest;
    } catch (e) {
      return {
        status: 400,
        message: `Body is not a protobuf ExportMetricsServiceRequest (${(e as Error).message}).`,
      };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { status: 400, message: `Body is not JSON (${(e as Error).message}).` };
  }
  const wrong = shapeError(parsed);
  return wrong
    ? { status: 400, message: `Body is not an OTLP/JSON ExportMetricsServiceRequest: ${wrong}.` }
    : (parsed as OtlpMetricsRequest);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first place where a parsed JSON body differs from the request's nesting, or undefined when none does. */
export function shapeError(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body must be a JSON object';
  const list = (
    v: unknown,
    path: string,
    each: (x: Record<string, unknown>, p: string) => string | undefined,
  ) => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return `${path} must be an array`;
    for (let i = 0; i < v.length; i++) {
      if (!isObject(v[i])) return `${path}[${i}] must be an object`;
      const inner = each(v[i], `${path}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  };
  const points = (m: Record<string, unknown>, p: string) => {
    for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
      const data = m[kind];
      if (data === undefined || data === null) continue;
      if (!isObject(data)) return `${p}.${kind} must be an object`;
      const wrong = list(data.dataPoints, `${p}.${kind}.dataPoints`, (dp, q) =>
        list(dp.attributes, `${q}.attributes`, () => undefined),
      );
      if (wrong) return wrong;
    }
    return undefined;
  };
  return list(body.resourceMetrics, 'resourceMetrics', (rm, p) => {
    if (rm.resource !== undefined && !isObject(rm.resource)) return `${p}.resource must be an object`;
    if (isObject(rm.resource)) {
      const wrong = list(rm.resource.attributes, `${p}.resource.attributes`, () => undefined);
      if (wrong) return wrong;
    }
    return list(rm.scopeMetrics, `${p}.scopeMetrics`, (sm, q) => list(sm.metrics, `${q}.metrics`, points));
  });
}
