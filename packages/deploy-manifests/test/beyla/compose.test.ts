import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BEYLA_CAPABILITIES, beylaCompose, beylaComposeYaml } from '../../src/index.js';
import { catchError } from '../helpers/expect-valid.js';

describe('beylaCompose()', () => {
  it('joins the target service PID namespace and exports OTLP to the given endpoint', () => {
    const c = beylaCompose({ service: 'api', openPort: '8080', otlpEndpoint: 'http://otel-collector:4318' });
    expect(c.services.beyla).toMatchObject({
      pid: 'service:api',
      depends_on: ['api'],
      privileged: true,
      environment: {
        BEYLA_OPEN_PORT: '8080',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      },
    });
    const unprivileged = beylaCompose({
      service: 'api',
      openPort: '8080',
      otlpEndpoint: 'http://c:4318',
      privileged: false,
    });
    expect(unprivileged.services.beyla).toMatchObject({
      cap_add: [...BEYLA_CAPABILITIES],
      security_opt: ['apparmor:unconfined'],
    });
    expect(unprivileged.services.beyla.privileged).toBeUndefined();
    const obi = beylaCompose({
      service: 'api',
      openPort: '80,8000-8999',
      otlpEndpoint: 'http://c:4317',
      distribution: 'obi',
    });
    expect(obi.services.obi.environment).toMatchObject({
      OTEL_EBPF_OPEN_PORT: '80,8000-8999',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(
      parse(beylaComposeYaml({ service: 'api', openPort: '8080', otlpEndpoint: 'http://c:4318' })),
    ).toEqual(beylaCompose({ service: 'api', openPort: '8080', otlpEndpoint: 'http://c:4318' }));
  });

  it('rejects a bad port list, service name or endpoint', () => {
    expect(
      catchError(() => beylaCompose({ service: 'api', openPort: '80;rm', otlpEndpoint: 'http://c:4318' }))
        .field,
    ).toBe('compose.openPort');
    expect(
      catchError(() => beylaCompose({ service: '-x', openPort: '80', otlpEndpoint: 'http://c:4318' })).field,
    ).toBe('compose.service');
    expect(catchError(() => beylaCompose({ service: 'a', openPort: '80', otlpEndpoint: 'c' })).field).toBe(
      'compose.otlpEndpoint',
    );
  });
});
