/**
 * Zero-code request tracing: HTTP/1.x (and gRPC over cleartext HTTP/2) requests of any process, from its
 * socket reads and writes (bpf/http.bpf.c), as events, OpenTelemetry metrics and Vigil series. HTTP/1.x is
 * parsed and counted in the kernel (user space reads the aggregates on an interval and gets a request's
 * details only for new paths or samples), and so are gRPC calls once user space has named their header
 * blocks (h2-kernel-connection.ts), unless `events: true` asks for every request in user space.
 */
import { readFileSync } from 'node:fs';
import type { Meter } from '@opentelemetry/api';
import { requireInput } from '../errors.js';
import { H2_STREAM_KEY, HTTP_CONFIG } from '../generated/layouts.js';
import type { BpfObject } from '../object/bpf-object.js';
import type { RecordBatch } from '../object/ring-buffer.js';
import { validateAggregateOptions } from '../probes/aggregate-probe.js';
import { monotonicToEpochMs } from '../probes/clock.js';
import { closeWhenCollected } from '../probes/close-when-collected.js';
import { EventProbe, type EventProbeOptions, startProbe } from '../probes/event-probe.js';
import { onEveryInterval } from '../probes/ticker.js';
import { H2Connection } from './h2-connection.js';
import { H2_PREFACE } from './h2-frames.js';
import { H2KernelConnection, H2Labels } from './h2-kernel-connection.js';
import { decodeHttpRecord, type HttpRecord } from './http-record.js';
import type { ConnectionParser, HttpRequest, ParsedExchange } from './http-request.js';
import { Http1Connection } from './http1-connection.js';
import { h2Key, type RequestAggregate, RequestAggregates } from './request-aggregates.js';
import { isError, RequestMetrics } from './request-metrics.js';
import { RequestSeries } from './request-series.js';
import { RouteNamer, type RouteOptions } from './route.js';

/** Options of {@link traceHttp}. */
export interface HttpTracerOptions extends EventProbeOptions, RouteOptions {
  /** Only these processes (thread group ids); default every process. Filtered in the kernel. */
  pid?: number | readonly number[];
  /** Only connections whose server port is one of these (local port for servers, remote for clients); default any. Filtered in the kernel. */
  ports?: readonly number[];
  /** Which side to trace: the process accepted the connection (`server`), connected (`client`), or `both` (default). */
  side?: 'server' | 'client' | 'both';
  /** Publish `http.server.request.duration`, `http.client.request.duration`, `rpc.server.duration`, `rpc.client.duration`. */
  meter?: Meter;
  /** Milliseconds per point of the Vigil series; default 1000. */
  intervalMs?: number;
  /** Points kept per series; default 3600. */
  maxHistory?: number;
  /** Service name of a process in the series; default its `comm`. */
  serviceName?: (pid: number, comm: string) => string;
  /** Connections tracked in user space before the oldest is forgotten; default 65536 (as in the kernel). */
  maxConnections?: number;
  /**
   * Deliver every HTTP/1.x request as an event, parsed in user space from copies of each transfer's head
   * and tail (durations then run to the end of the response's last write; pipelined requests that share a
   * read are all seen). Default false: HTTP/1.x is parsed and counted in the kernel — exact counts per
   * method, status and route, durations at log2 resolution from the request's read to the write that
   * carries the response's status line — and only requests on new paths (and samples) become events.
   * Costs several times more CPU per request.
   */
  events?: boolean;
  /** With in-kernel parsing, also deliver every Nth HTTP/1.x request as an event (1: all of them); default 0 (only new paths). */
  sampleEvery?: number;
}

/** Counters of the request parsers, beside the probe's delivery counters. */
export interface HttpTracerStats {
  /** Connections opened (accepted or connected) while tracing. */
  connections: number;
  /** Requests seen: counted in the kernel (as of now) or parsed in user space. */
  requests: number;
  /** Times a connection's parser lost sync with its byte stream (bytes it needed were not copied, or not HTTP). */
  lostSync: number;
  /** Transfers on connections whose open the tracer never saw (lost records). */
  orphanTransfers: number;
  /**
   * HTTP/2 header blocks the kernel sent to user space to decode (each the first time it was seen at its
   * connection's HPACK table version, or because it changed the table); the calls whose blocks are all
   * named are counted in the kernel without any.
   */
  headerBlocks: number;
}

const MAX_PIDS = 1024;
/** Default `batching.flushMs` of the tracer's ring-buffer consumer. */
const TRACER_FLUSH_MS = 100;
const MAX_EARLY = 4;

interface Connection {
  pid: number;
  comm: string;
  side: 'server' | 'client';
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  parser?: ConnectionParser;
  /** HTTP/2 whose frames and calls the kernel walks and pairs. */
  h2?: H2KernelConnection;
  /** Not a protocol we parse: its transfers are skipped. */
  ignored: boolean;
  /** Server transfers before the client spoke (an HTTP/2 server's SETTINGS), replayed once the protocol is known. */
  early: Array<Extract<HttpRecord, { kind: 'data' }>>;
}

/** A running request tracer: an {@link EventProbe} of {@link HttpRequest}s with series and parser counters. */
export class HttpTracer extends EventProbe<HttpRequest> {
  readonly #series: RequestSeries;
  readonly #stopTicking: () => void;
  readonly #parserStats: () => HttpTracerStats;
  readonly #aggregates: RequestAggregates[];
  readonly #onAggregates: (deltas: RequestAggregate[]) => void;
  #closed = false;

  /** @internal */
  constructor(
    object: BpfObject,
    decodeBatch: (batch: RecordBatch) => HttpRequest[],
    options: HttpTracerOptions,
    series: RequestSeries,
    parserStats: () => HttpTracerStats,
    aggregates: RequestAggregates[],
    onAggregates: (deltas: RequestAggregate[]) => void,
  ) {
    super(object, { batch: decodeBatch }, options);
    this.#series = series;
    this.#parserStats = parserStats;
    this.#aggregates = aggregates;
    this.#onAggregates = onAggregates;
    // Reaches the tracer weakly, so a dropped tracer can be collected (and closed). The timer is the one every
    // probe of this interval shares (a wake-up costs the agent more than the work it does).
    const self = new WeakRef(this);
    const stopTicking = onEveryInterval(options.intervalMs ?? 1000, () => {
      const tracer = self.deref();
      if (tracer) tracer.#poll();
      series.tick(Date.now());
    });
    this.#stopTicking = stopTicking;
    closeWhenCollected(this, stopTicking);
  }

  #poll(): RequestAggregate[] {
    if (this.#closed) return []; // the totals stay as of close()
    const deltas = this.#aggregates.flatMap((a) => a.poll());
    if (deltas.length > 0) this.#onAggregates(deltas);
    return deltas;
  }

  /**
   * Every request counted so far — in the kernel (HTTP/1.x; gRPC calls whose header blocks are named) or
   * parsed in user space — one entry per (process, side, server port, method, status, protocol version,
   * route, gRPC status): reads the kernel's aggregates now (they are otherwise read every `intervalMs`).
   * A request is counted once its response's status line (HTTP/1.x) or its end (HTTP/2) is written
   * (server) or read (client).
   */
  requestCounts(): RequestAggregate[] {
    this.#poll();
    return this.#aggregates.flatMap((a) => a.totals());
  }

  /** Per (service, side, route) series: rate, error ratio, p50 and p99 duration, one point per interval. */
  get series(): RequestSeries {
    return this.#series;
  }

  /** Parser counters (see {@link HttpTracerStats}); reads the kernel's aggregates now. */
  parserStats(): HttpTracerStats {
    this.#poll();
    const stats = this.#parserStats();
    for (const a of this.#aggregates) stats.requests += a.kernelCount;
    return stats;
  }

  override close(): void {
    if (this.#closed) return;
    this.#stopTicking();
    this.#poll(); // the last requests, before the maps go
    this.#closed = true;
    super.close();
  }
}

function validate(options: HttpTracerOptions): { pids: number[]; ports: number[]; roles: number } {
  const sampleEvery = options.sampleEvery ?? 0;
  requireInput(
    Number.isInteger(sampleEvery) && sampleEvery >= 0 && sampleEvery <= 0xffffffff,
    'sampleEvery',
    'must be a non-negative integer',
    'pass 0 (only requests on new paths), 1 (every request) or e.g. 100.',
  );
  requireInput(
    options.events === undefined || typeof options.events === 'boolean',
    'events',
    'must be a boolean',
    'pass true to parse every request in user space, or omit it.',
  );
  const pids =
    options.pid === undefined ? [] : typeof options.pid === 'number' ? [options.pid] : [...options.pid];
  requireInput(
    pids.length <= MAX_PIDS && pids.every((p) => Number.isInteger(p) && p > 0 && p <= 0x3fffffff),
    'pid',
    `must be a process id or a list of at most ${MAX_PIDS}`,
    "pass process.pid, a child's pid, or omit it to trace every process.",
  );
  requireInput(
    options.pid === undefined || pids.length > 0,
    'pid',
    'is an empty list, which would trace nothing',
    'omit it to trace every process.',
  );
  const ports = [...(options.ports ?? [])];
  requireInput(
    ports.length <= 1024 && ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535),
    'ports',
    'must be TCP ports (integers 1–65535), at most 1024 of them',
    'pass e.g. [8080], or omit it to trace every port.',
  );
  requireInput(
    options.ports === undefined || ports.length > 0,
    'ports',
    'is an empty list, which would trace nothing',
    'omit it to trace every port.',
  );
  const side = options.side ?? 'both';
  requireInput(
    side === 'server' || side === 'client' || side === 'both',
    'side',
    "must be 'server', 'client' or 'both'",
    "pass 'server' to trace only requests the process answers.",
  );
  // The series options are the aggregate probes' own.
  validateAggregateOptions(options);
  const maxConnections = options.maxConnections ?? 65536;
  requireInput(
    Number.isInteger(maxConnections) && maxConnections >= 1,
    'maxConnections',
    'must be a positive integer',
    'pass e.g. 65536.',
  );
  const roles = side === 'server' ? 1 : side === 'client' ? 2 : 3;
  return { pids, ports, roles };
}

function configure(
  object: BpfObject,
  pids: number[],
  ports: number[],
  roles: number,
  capture: boolean,
  sampleEvery: number,
): void {
  const C = HTTP_CONFIG;
  const config = Buffer.alloc(C.size);
  config.writeUInt32LE(pids.length > 0 ? 1 : 0, C.filter_pids);
  config.writeUInt32LE(ports.length > 0 ? 1 : 0, C.filter_ports);
  config.writeUInt32LE(roles, C.roles);
  config.writeUInt32LE(capture ? 1 : 0, C.capture);
  config.writeUInt32LE(sampleEvery, C.sample_every);
  const one = Buffer.from([1]);
  for (const pid of pids) object.map('pids').update(pid, one);
  const portKey = Buffer.alloc(2);
  for (const port of ports) {
    portKey.writeUInt16LE(port, 0);
    object.map('ports').update(portKey, one);
  }
  // Written last: until now every connection is ignored, so no half-configured filter ever applies.
  object.map('http_config').update(0, config);
}

/**
 * Starts tracing HTTP/1.x requests (and gRPC calls over cleartext HTTP/2) of the processes and ports
 * chosen, with no change to the traced programs: method, path, route, status and duration of every
 * request on connections accepted or connected after the start, as events, semantic-convention
 * OpenTelemetry metrics and per-route Vigil series.
 *
 * Only connections opened after the start are traced; TLS is not decrypted (its requests are not seen).
 *
 * @throws {VigilEbpfError} `EBPF_INPUT` for a bad option (before anything is loaded); the usual load
 *   errors; on any failure nothing stays attached.
 * @example
 * const tracer = traceHttp({ pid: server.pid, ports: [8080], meter });
 * tracer.onEvents((rs) => rs.filter((r) => r.status >= 500).forEach((r) => console.warn(r.method, r.route)));
 * const p99 = tracer.series.series({ service: 'node', side: 'server', route: '/users/{id}' }, 'p99');
 */
export function traceHttp(options: HttpTracerOptions = {}): HttpTracer {
  const { pids, ports, roles } = validate(options);
  const routes = new RouteNamer(options);
  const series = new RequestSeries(options.intervalMs ?? 1000, options.maxHistory ?? 3600);
  const maxConnections = options.maxConnections ?? 65536;
  const serviceName = options.serviceName ?? ((_pid: number, comm: string) => comm);
  const metrics = options.meter ? new RequestMetrics(options.meter) : undefined;

  const capture = options.events ?? false;
  // Socket transfers and TCP state changes only, never every syscall (bpf/http.bpf.c). The state
  // program goes first: a transfer program without it would find no connection.
  const { object } = startProbe(
    'http',
    [{ name: 'http_sock_state' }, { name: 'http_sock_recv' }, { name: 'http_sock_send' }],
    options,
    // One scratch record per CPU, indexed by CPU (64 KiB HTTP/2 heads do not fit a per-CPU array value).
    (o) => o.resizeMap('scratch_buf', o.possibleCpus),
    (o) => configure(o, pids, ports, roles, capture, options.sampleEvery ?? 0),
  );
  const aggregates = new RequestAggregates(object.map('aggregates'));
  // Labels of HTTP/2 header blocks, written to the kernel's h2_labels so that it counts their calls.
  const labels = new H2Labels();
  const h2Aggregates = new RequestAggregates(object.map('h2_aggregates'), (key) =>
    h2Key(key, labels, (path) => routes.route(path)),
  );
  const labelMap = object.map('h2_labels');
  const streamMap = object.map('h2_streams');
  // Streams a closed connection left open in the kernel's h2_streams (more than its slots at once): found by
  // a walk over the map's keys, which is rare (the kernel says how many it may have left), not left to LRU.
  const forgetStreams = (connId: number) => {
    const id = BigInt(connId);
    for (const key of streamMap.keys()) {
      if (key.readBigUInt64LE(H2_STREAM_KEY.conn_id) === id) streamMap.delete(key);
    }
  };
  const comms = new Map<number, string>();
  const commOf = (pid: number): string => {
    let comm = comms.get(pid);
    if (comm === undefined) {
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        comm = String(pid); // gone already
      }
      comms.set(pid, comm);
    }
    return comm;
  };
  const onAggregates = (deltas: RequestAggregate[]): void => {
    for (const d of deltas) {
      metrics?.recordAggregate(d);
      series.recordHistogram(
        { service: serviceName(d.pid, commOf(d.pid)), side: d.side, route: d.route },
        d.count,
        isError(d) ? d.count : 0,
        d.histogram,
      );
    }
  };

  const toEpochMs = monotonicToEpochMs();
  const connections = new Map<number, Connection>();
  const stats: HttpTracerStats = {
    connections: 0,
    requests: 0,
    lostSync: 0,
    orphanTransfers: 0,
    headerBlocks: 0,
  };
  let lostOfClosed = 0;

  // Requests completed by the batch being decoded; parsers emit into it.
  let out: HttpRequest[] = [];
  const decodeBatch = ({ data, offsets, count }: RecordBatch): HttpRequest[] => {
    for (let i = 0; i < count; i++) {
      const record = decodeHttpRecord(data, offsets[i], offsets[i + 1]);
      if (record) handle(record);
    }
    const done = out;
    out = [];
    return done;
  };

  /** A request parsed in user space (HTTP/2; HTTP/1.x with `events: true`): an event, metrics and series. */
  const emitExchange = (conn: Connection, x: ParsedExchange): void => {
    const request: HttpRequest = {
      side: conn.side,
      time: toEpochMs(x.startNs),
      durationMs: (x.endNs - x.startNs) / 1e6,
      pid: conn.pid,
      comm: conn.comm,
      protocolVersion: x.protocolVersion,
      method: x.method,
      path: RouteNamer.path(x.target),
      route: x.grpc ? `/${x.grpc.service}/${x.grpc.method}` : routes.route(x.target),
      status: x.status,
      localAddress: conn.localAddress,
      localPort: conn.localPort,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
    };
    if (x.grpc) request.grpc = x.grpc;
    out.push(request);
    stats.requests++;
    (x.protocolVersion === '2' ? h2Aggregates : aggregates).count(request);
    metrics?.record(request);
    series.record(
      { service: serviceName(conn.pid, conn.comm), side: conn.side, route: request.route },
      request.durationMs,
      isError(request),
    );
  };

  const handle = (record: HttpRecord): void => {
    if (record.kind === 'open') {
      comms.set(record.pid, record.comm);
      if (connections.size >= maxConnections) {
        const oldest = connections.keys().next().value as number;
        connections.delete(oldest);
      }
      connections.set(record.connId, { ...record, ignored: false, early: [] });
      stats.connections++;
      return;
    }
    if (record.kind === 'close' && record.streamsLeft > 0) forgetStreams(record.connId);
    const conn = connections.get(record.connId);
    if (!conn) {
      if (record.kind === 'data') stats.orphanTransfers++;
      return;
    }
    if (record.kind === 'close') {
      conn.parser?.close(record.timeNs);
      lostOfClosed += conn.parser?.lostSync ?? 0;
      connections.delete(record.connId);
      return;
    }
    if (record.kind === 'request') {
      // Parsed and counted in the kernel (its metrics and series come from the aggregates): an event only.
      const route = routes.route(record.target);
      aggregates.learn(record.route, route);
      out.push({
        side: conn.side,
        time: toEpochMs(record.startNs),
        durationMs: (record.endNs - record.startNs) / 1e6,
        pid: conn.pid,
        comm: conn.comm,
        protocolVersion: record.protocolVersion,
        method: record.method,
        path: RouteNamer.path(record.target),
        route,
        status: record.status,
        localAddress: conn.localAddress,
        localPort: conn.localPort,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
      });
      return; // counted in the kernel's aggregates
    }
    if (record.kind === 'h2block' || record.kind === 'h2call' || (record.kind === 'data' && record.framed)) {
      // Frames walked and calls paired in the kernel: blocks to decode and name, calls to complete.
      conn.h2 ??= new H2KernelConnection(record.connId, conn.side, labels, labelMap, (x) =>
        emitExchange(conn, x),
      );
      conn.parser ??= conn.h2;
      if (record.kind === 'h2block') {
        stats.headerBlocks++;
        conn.h2.block(record);
      } else if (record.kind === 'h2call') conn.h2.call(record);
      else conn.h2.feed(record.direction, record.capture, record.startNs, record.endNs);
      return;
    }
    if (conn.ignored) return;
    if (!conn.parser) {
      const first = record.capture.from(0);
      const clientSent = (record.direction === 'out') === (conn.side === 'client');
      if (!clientSent) {
        // HTTP clients speak first, but an HTTP/2 server may send SETTINGS before reading the preface;
        // a server that keeps talking first speaks another protocol.
        if (conn.early.length < MAX_EARLY) conn.early.push({ ...record, capture: record.capture.copy() });
        else conn.ignored = true;
        return;
      }
      const h2 = first?.subarray(0, H2_PREFACE.length).equals(H2_PREFACE) ?? false;
      const emit = (x: ParsedExchange): void => emitExchange(conn, x);
      conn.parser = h2 ? new H2Connection(conn.side, emit) : new Http1Connection(conn.side, emit);
      for (const e of conn.early) conn.parser.feed(e.direction, e.capture, e.startNs, e.endNs);
      conn.early = [];
    }
    conn.parser.feed(record.direction, record.capture, record.startNs, record.endNs);
  };

  const parserStats = (): HttpTracerStats => {
    let lost = lostOfClosed;
    for (const c of connections.values()) lost += c.parser?.lostSync ?? 0;
    return { ...stats, lostSync: lost };
  };

  // Records carry their own times and HTTP/1.x is counted in the kernel, so nothing needs them within
  // 20 ms: a 100 ms flush wakes the consumer thread and the event loop a fifth as often.
  const batching = { flushMs: TRACER_FLUSH_MS, ...options.batching };
  try {
    return new HttpTracer(
      object,
      decodeBatch,
      { ...options, batching },
      series,
      parserStats,
      [aggregates, h2Aggregates],
      onAggregates,
    );
  } catch (e) {
    object.close();
    throw e;
  }
}
