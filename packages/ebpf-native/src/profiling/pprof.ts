/**
 * A CPU profile as pprof's protobuf (github.com/google/pprof proto/profile.proto), encoded with
 * `pprof-format`: sample types `samples/count` and `cpu/nanoseconds` (count × the sampling period),
 * one Mapping per module, one Function per (module, name), one Location per address, labels `pid` and
 * `comm`. Readable by `go tool pprof`, Parca and Pyroscope; gzip it for tools that expect `.pb.gz`.
 */
import { gzipSync } from 'node:zlib';
import {
  Label,
  Location,
  Mapping,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import type { CpuProfile } from './cpu-profile.js';

/**
 * Encodes `profile` as a pprof Profile message (uncompressed; pass `{ gzip: true }` for `.pb.gz`).
 *
 * @example
 * writeFileSync('cpu.pb.gz', encodePprof(profile, { gzip: true })); // go tool pprof -top cpu.pb.gz
 */
export function encodePprof(profile: CpuProfile, options: { gzip?: boolean } = {}): Uint8Array {
  const strings = new StringTable();
  const periodNs = Math.round(1e9 / profile.frequency);
  const mappings = new Map<string, Mapping>();
  const functions = new Map<string, PprofFunction>();
  const locations = new Map<string, Location>();
  const mappingOf = (module: string): Mapping => {
    let m = mappings.get(module);
    if (!m) {
      m = new Mapping({ id: mappings.size + 1, filename: strings.dedup(module), hasFunctions: true });
      mappings.set(module, m);
    }
    return m;
  };
  const functionOf = (name: string, module: string): PprofFunction => {
    const key = `${module}\u0000${name}`;
    let f = functions.get(key);
    if (!f) {
      f = new PprofFunction({
        id: functions.size + 1,
        name: strings.dedup(name),
        systemName: strings.dedup(name),
        filename: strings.dedup(module),
      });
      functions.set(key, f);
    }
    return f;
  };
  const samples = profile.samples.map((s) => {
    const locationId = s.frames.map((frame) => {
      const key = `${frame.module}\u0000${frame.address}`;
      let loc = locations.get(key);
      if (!loc) {
        loc = new Location({
          id: locations.size + 1,
          mappingId: mappingOf(frame.module).id,
          address: frame.address,
          line: [{ functionId: functionOf(frame.name, frame.module).id }],
        });
        locations.set(key, loc);
      }
      return loc.id;
    });
    return new Sample({
      locationId,
      value: [s.count, s.count * periodNs],
      label: [
        new Label({ key: strings.dedup('pid'), num: s.pid }),
        new Label({ key: strings.dedup('comm'), str: strings.dedup(s.comm) }),
      ],
    });
  });
  const message = new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') }),
    ],
    sample: samples,
    mapping: [...mappings.values()],
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    timeNanos: BigInt(Math.round(profile.time - profile.durationMs)) * 1_000_000n,
    durationNanos: BigInt(Math.round(profile.durationMs * 1e6)),
    periodType: new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') }),
    period: periodNs,
  });
  const bytes = message.encode();
  return options.gzip ? gzipSync(bytes) : bytes;
}
