import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import { topologyFromConnections } from '../../src/rca/connection-graph.js';
import { seriesAttributes, serviceOf } from '../../src/rca/service-of.js';
import { Topology } from '../../src/rca/topology.js';

describe('Topology', () => {
  it('answers direct and transitive dependencies by hop count', () => {
    const t = new Topology([
      { caller: 'web', callee: 'api' },
      { caller: 'api', callee: 'db' },
      { caller: 'api', callee: 'cache' },
      { caller: 'cache', callee: 'db' },
    ]);
    expect(t.size).toBe(4);
    expect(t.calls('web', 'api')).toBe(true);
    expect(t.calls('api', 'web')).toBe(false);
    expect(t.hops('web', 'db')).toBe(2);
    expect(t.hops('db', 'web')).toBe(Number.POSITIVE_INFINITY);
    t.addCall('web', 'db');
    expect(t.hops('web', 'db')).toBe(1);
    expect(() => t.addCall('', 'db')).toThrow(VigilInputError);
  });

  it('reads calls from client series keys (peer.service, server.address)', () => {
    const t = Topology.fromSeriesKeys([
      'checkout/http.client.request.duration{peer.service=payments}',
      'payments/db.client.operation.duration{server.address=postgres}',
      'checkout/http.server.request.duration{http.route=/pay}',
    ]);
    expect(t.edges()).toEqual([
      { caller: 'checkout', callee: 'payments' },
      { caller: 'payments', callee: 'postgres' },
    ]);
  });

  it('builds the call graph from eBPF TCP connects', () => {
    const t = topologyFromConnections(
      [
        { type: 'connect', pid: 10, comm: 'node', remoteAddress: '10.0.0.5', remotePort: 5432 },
        { type: 'accept', pid: 11, comm: 'postgres', remoteAddress: '10.0.0.2', remotePort: 40000 },
        { type: 'connect', pid: 12, comm: 'curl', remoteAddress: '10.0.0.5', remotePort: 5432 },
      ],
      {
        client: (e) => (e.comm === 'node' ? 'checkout' : undefined),
        server: (addr, port) => (addr === '10.0.0.5' && port === 5432 ? 'db' : undefined),
      },
    );
    expect(t.edges()).toEqual([{ caller: 'checkout', callee: 'db' }]);
  });

  it('splits series keys into service and attributes', () => {
    expect(serviceOf('checkout/http.server.request.duration{http.route=/pay}')).toBe('checkout');
    expect(serviceOf('cpu')).toBe('cpu');
    expect(seriesAttributes('a/b{x=1,y=2}')).toEqual({ x: '1', y: '2' });
    expect(seriesAttributes('a/b')).toEqual({});
  });
});
