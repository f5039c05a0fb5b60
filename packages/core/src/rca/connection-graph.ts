import { Topology } from './topology.js';

/** The fields of a TCP connection event that reveal a call (the shape `@vigil/ebpf-native`'s `watchTcp` emits). */
export interface ConnectionLike {
  /** Only `connect` (an active open: the local process is the client) says who calls whom. */
  readonly type: string;
  readonly pid: number;
  readonly comm: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** How to name the two ends of a connection. */
export interface ConnectionResolvers {
  /** The service of the connecting process, or undefined to skip the event. */
  readonly client: (event: ConnectionLike) => string | undefined;
  /** The service listening on `address:port`, or undefined when unknown (the event is skipped). */
  readonly server: (address: string, port: number) => string | undefined;
}

/**
 * The call graph seen on the wire: every `connect` event from the eBPF TCP probe becomes an edge from the
 * connecting process's service to the service listening at the remote address and port.
 *
 * @example
 * const topo = topologyFromConnections(tcpEvents, {
 *   client: (e) => (e.comm === 'node' ? 'checkout' : undefined),
 *   server: (addr, port) => (port === 5432 ? 'db' : undefined),
 * });
 */
export function topologyFromConnections(
  events: Iterable<ConnectionLike>,
  resolve: ConnectionResolvers,
): Topology {
  const topo = new Topology();
  for (const e of events) {
    if (e.type !== 'connect') continue;
    const caller = resolve.client(e);
    const callee = resolve.server(e.remoteAddress, e.remotePort);
    if (caller && callee) topo.addCall(caller, callee);
  }
  return topo;
}
