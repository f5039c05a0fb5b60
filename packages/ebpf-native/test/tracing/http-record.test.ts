/** The decoder's byte offsets match the structs the compiled probe was built with (read from its BTF). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { bpfObjectPath } from '../../src/native/package-paths.js';
import {
  HTTP_AGG_KEY_LAYOUT,
  HTTP_AGG_SLOTS,
  HTTP_AGG_VALUE_LAYOUT,
  HTTP_CONN_INFO_LAYOUT,
  HTTP_EVENT_LAYOUT,
  HTTP_REQUEST_INFO_LAYOUT,
} from '../../src/tracing/http-record.js';
import { hasBpftool } from '../helpers/bpftool.js';
import { skipUnlessRequired } from '../helpers/require-ebpf.js';

/** Member byte offsets and the size of `struct name`, from `bpftool btf dump … format raw`. */
function btfLayout(object: string, name: string): Record<string, number> {
  const raw = spawnSync('bpftool', ['btf', 'dump', 'file', object, 'format', 'raw'], {
    encoding: 'utf8',
  }).stdout;
  const lines = raw.split('\n');
  const start = lines.findIndex((l) => l.includes(`STRUCT '${name}' size=`));
  expect(start).toBeGreaterThanOrEqual(0);
  const [, size, vlen] = /size=(\d+) vlen=(\d+)/.exec(lines[start]) ?? [];
  const layout: Record<string, number> = { size: Number(size) };
  for (const line of lines.slice(start + 1, start + 1 + Number(vlen))) {
    const [, member, bits] = /'(\w+)' type_id=\d+ bits_offset=(\d+)/.exec(line) ?? [];
    layout[member] = Number(bits) / 8;
  }
  return layout;
}

const object = bpfObjectPath('http');
const missing = !hasBpftool || !existsSync(object);

it.skipIf(skipUnlessRequired(missing))(
  'the record and aggregate layouts the decoders use match the BTF of http.bpf.o',
  () => {
    expect(btfLayout(object, 'http_event')).toEqual({ ...HTTP_EVENT_LAYOUT });
    expect(btfLayout(object, 'http_conn_info')).toEqual({ ...HTTP_CONN_INFO_LAYOUT });
    expect(btfLayout(object, 'http_request_info')).toEqual({ ...HTTP_REQUEST_INFO_LAYOUT });
    expect(btfLayout(object, 'http_agg_key')).toEqual({ ...HTTP_AGG_KEY_LAYOUT });
    const { slots, ...value } = HTTP_AGG_VALUE_LAYOUT;
    expect(btfLayout(object, 'http_agg_value')).toEqual({ ...value, slots });
    expect(HTTP_AGG_VALUE_LAYOUT.size).toBe(slots + 8 * HTTP_AGG_SLOTS);
  },
);
