import { assertOneOf } from '../common.js';
import { ManifestError } from '../errors.js';
import { IMAGES } from '../versions.js';
import { configYaml } from '../yaml.js';
import { BEYLA_CAPABILITIES, BEYLA_DISTRIBUTIONS } from './manifests.js';

/** Options of {@link beylaCompose}. */
export interface BeylaComposeOptions {
  /** Compose service to instrument; Beyla joins its PID namespace. */
  service: string;
  /** Port(s) the instrumented service listens on, e.g. `'8080'` or `'8000-8999'`. */
  openPort: string;
  /** OTLP endpoint reachable from the compose network, e.g. `http://otel-collector:4318`. */
  otlpEndpoint: string;
  /** Beyla or OBI. Default `beyla`. */
  distribution?: (typeof BEYLA_DISTRIBUTIONS)[number];
  /**
   * Run privileged, as Beyla's Docker guide does. With `false`, use the documented capabilities, AppArmor
   * unconfined and the host's BPF filesystem instead. Default true.
   */
  privileged?: boolean;
}

const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

/**
 * A docker-compose fragment that runs Beyla (or OBI) as a sidecar of one service: it shares that service's PID
 * namespace (`pid: service:<name>`), runs privileged (or with the documented capabilities), and exports OTLP to
 * `otlpEndpoint`.
 * Merge it into a compose file with `docker compose -f app.yml -f beyla.yml up`.
 *
 * @throws {ManifestError} `INVALID_OPTION` for a bad service name, port list, endpoint or distribution.
 * @example
 * beylaCompose({ service: 'api', openPort: '8080', otlpEndpoint: 'http://otel-collector:4318' }).services.beyla.pid
 * // 'service:api'
 */
export function beylaCompose(o: BeylaComposeOptions): { services: Record<string, Record<string, unknown>> } {
  const distribution = o.distribution ?? 'beyla';
  assertOneOf('compose.distribution', distribution, BEYLA_DISTRIBUTIONS);
  if (typeof o.service !== 'string' || !SERVICE.test(o.service)) {
    throw new ManifestError('INVALID_OPTION', 'must be a compose service name ([a-zA-Z0-9_.-]).', {
      field: 'compose.service',
    });
  }
  if (typeof o.openPort !== 'string' || !PORTS.test(o.openPort)) {
    throw new ManifestError('INVALID_OPTION', "must be a port list such as '8080' or '80,8000-8999'.", {
      field: 'compose.openPort',
    });
  }
  let url: URL;
  try {
    url = new URL(o.otlpEndpoint);
  } catch {
    throw new ManifestError('INVALID_OPTION', 'must be a URL such as http://otel-collector:4318.', {
      field: 'compose.otlpEndpoint',
    });
  }
  const prefix = distribution === 'obi' ? 'OTEL_EBPF' : 'BEYLA';
  return {
    services: {
      [distribution]: {
        image: distribution === 'obi' ? IMAGES.obi : IMAGES.beyla,
        pid: `service:${o.service}`,
        ...(o.privileged === false
          ? {
              cap_add: [...BEYLA_CAPABILITIES],
              security_opt: ['apparmor:unconfined'],
              volumes: ['/sys/fs/bpf:/sys/fs/bpf', '/sys/fs/cgroup:/sys/fs/cgroup:ro'],
            }
          : { privileged: true }),
        depends_on: [o.service],
        environment: {
          [`${prefix}_OPEN_PORT`]: o.openPort,
          OTEL_EXPORTER_OTLP_ENDPOINT: url.toString().replace(/\/$/, ''),
          OTEL_EXPORTER_OTLP_PROTOCOL: url.port === '4317' ? 'grpc' : 'http/protobuf',
        },
      },
    },
  };
}

/** {@link beylaCompose} as YAML, ready to save as a compose override file. */
export function beylaComposeYaml(o: BeylaComposeOptions): string {
  return configYaml(beylaCompose(o));
}
