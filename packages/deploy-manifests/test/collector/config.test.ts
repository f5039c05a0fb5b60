import { describe, expect, it } from 'vitest';
import { collectorConfigProblems, forwarderConfig, gatewayConfig } from '../../src/index.js';

describe('collector configs', () => {
  it('generated gateway and forwarder configs are internally consistent', () => {
    expect(
      collectorConfigProblems(
        gatewayConfig({ endpoint: 'https://o.example.com', protocol: 'grpc', headerEnv: {} }),
      ),
    ).toEqual([]);
    const fwd = forwarderConfig({
      jsonFiles: ['/var/log/x.log'],
      scrapeTargets: ['localhost:9090'],
      job: 'x',
      scrapeInterval: '15s',
      collectorGrpcUrl: 'http://otel-collector.obs.svc.cluster.local:4317',
    });
    expect(collectorConfigProblems(fwd)).toEqual([]);
    expect(fwd.exporters).toEqual({
      'otlp/gateway': { endpoint: 'otel-collector.obs.svc.cluster.local:4317', tls: { insecure: true } },
    });
  });

  it('gRPC exporter gets host:port with TLS from the scheme; a default port is filled in', () => {
    const plain = gatewayConfig({ endpoint: 'http://tempo', protocol: 'grpc', headerEnv: {} })
      .exporters as Record<string, unknown>;
    expect(plain['otlp/upstream']).toEqual({ endpoint: 'tempo:80', tls: { insecure: true } });
    const tls = gatewayConfig({ endpoint: 'https://api.vendor.io', protocol: 'grpc', headerEnv: {} })
      .exporters as Record<string, unknown>;
    expect(tls['otlp/upstream']).toEqual({ endpoint: 'api.vendor.io:443', tls: { insecure: false } });
  });

  it('reports what the Collector would refuse at start-up', () => {
    expect(collectorConfigProblems({})).toEqual(['service.pipelines: no pipeline is defined']);
    expect(
      collectorConfigProblems({
        receivers: { otlp: {} },
        exporters: {},
        extensions: {},
        service: {
          extensions: ['health_check'],
          pipelines: {
            spans: { receivers: ['otlp'], exporters: ['debug'] },
            'logs/x': { receivers: [], exporters: [] },
          },
        },
      }),
    ).toEqual([
      'service.pipelines.spans: the signal must be one of traces, metrics, logs',
      'service.pipelines.spans.exporters: debug is not defined in exporters',
      'service.pipelines.logs/x.receivers: at least one is required',
      'service.pipelines.logs/x.exporters: at least one is required',
      'service.extensions: health_check is not defined in extensions',
    ]);
  });
});
