import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  host?: string;
  /** Port. Default 9464 (the Prometheus exporter port OpenTelemetry uses); 0 picks a free one. */
  port?: number;
  /** Prometheus registry served at /metrics. */
  registry: Registry;
  /** Why the service is not ready, or undefined when it is. */
  notReady: () => string | undefined;
}

/** A running admin server. */
export interface AdminServer {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (200 while the process runs its event loop), `/readyz` (200 once receivers listen and the state
 * is restored, 503 with the reason otherwise) and `/metrics` (Prometheus text format) for probes and scrapers.
 *
 * @example
 * const admin = await startAdminServer({ registry, notReady: () => undefined, port: 9464 });
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const why = options.notReady();
      res
        .writeHead(why ? 503 : 200, { 'content-type': 'text/plain' })
        .end(why ? `not ready: ${why}\n` : 'ready\n');
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Vigil admin: /healthz, /readyz, /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, options.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
