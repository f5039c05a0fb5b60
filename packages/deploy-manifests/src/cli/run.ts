import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ManifestError } from '../errors.js';
import { applyCommands } from '../stack/kustomize.js';
import { type StackOptions, stack, TOOLS, type ToolName } from '../stack/stack.js';
import { writeKustomize } from '../stack/write-kustomize.js';
import { POLICY_NAMES, type PolicyName } from '../tetragon/library.js';
import { validateBundle } from '../validate/bundle.js';
import { toYaml } from '../yaml.js';

/** Where {@link runCli} writes: injectable so tests capture output without touching the process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

export const USAGE = `Usage: vigil-manifests (--otlp-endpoint URL | --config FILE) [options]

Generates the Vigil eBPF observability stack (OpenTelemetry Collector + Beyla, Tetragon, Parca, Pixie),
validates it, and prints multi-document YAML or writes a kustomize tree.

  --config FILE           stack() options as YAML or JSON (flags below override its fields)
  --otlp-endpoint URL     your OTLP backend, http(s)://host:port (required here or in --config)
  --protocol grpc|http    protocol of the backend (default grpc)
  --namespace NAME        namespace of the collector and servers, Pod Security restricted
                          (default vigil-observability)
  --agent-namespace NAME  namespace of the eBPF agents, Pod Security privileged (default NAMESPACE-agents)
  --tools LIST            comma-separated: ${TOOLS.join(',')} (default beyla,tetragon,parca)
  --policies LIST         Tetragon policies: ${POLICY_NAMES.join(',')} (default all)
  --enforce               install the enforcing Tetragon policies (SIGKILL / syscall override)
  --priority-class NAME   PriorityClass of every pod
  --label KEY=VALUE       extra label on every object (repeatable)
  --pixie-cluster NAME    Pixie cluster name (with --tools ...,pixie)
                          the Pixie deploy key is read from the PIXIE_DEPLOY_KEY environment variable
  --out DIR               write a kustomize tree to DIR instead of YAML to stdout
  -h, --help              this text
`;

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

/**
 * Runs the `vigil-manifests` command line and returns its exit code: 0 on success, 2 for bad options (with the
 * typed error's field and message on stderr), 1 for anything unexpected.
 *
 * @example
 * runCli(['--otlp-endpoint', 'https://otlp.example.com:4317'], { stdout: console.log, stderr: console.error, env: {} }) // 0
 */
export function runCli(argv: string[], io: CliIo): number {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (e) {
    io.stderr(`vigil-manifests: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const file = values.config ? readConfig(values.config) : {};
    const otlpEndpoint = values['otlp-endpoint'] ?? file.otlpEndpoint;
    if (!otlpEndpoint) {
      io.stderr(`vigil-manifests: --otlp-endpoint (or otlpEndpoint in --config) is required\n\n${USAGE}`);
      return 2;
    }
    const labels: Record<string, string> = { ...file.labels };
    for (const kv of values.label ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new ManifestError('INVALID_OPTION', `${JSON.stringify(kv)} must be KEY=VALUE.`, {
          field: '--label',
        });
      }
      labels[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    // Flags override the config file, field by field.
    const options: StackOptions = { ...file, otlpEndpoint };
    if (Object.keys(labels).length > 0) options.labels = labels;
    if (values.namespace) options.namespace = values.namespace;
    if (values['agent-namespace']) options.agentNamespace = values['agent-namespace'];
    if (values.tools !== undefined) options.tools = list(values.tools) as ToolName[];
    if (values['priority-class']) options.priorityClassName = values['priority-class'];
    if (values.protocol)
      options.collector = { ...file.collector, protocol: values.protocol as 'grpc' | 'http' };
    const chosen = options.tools ?? ['beyla', 'tetragon', 'parca'];
    if (chosen.includes('tetragon') && (values.enforce !== undefined || values.policies !== undefined)) {
      options.tetragon = {
        ...file.tetragon,
        ...(values.enforce !== undefined ? { enforce: values.enforce } : {}),
        ...(values.policies !== undefined ? { policies: list(values.policies) as PolicyName[] } : {}),
      };
    }
    if (chosen.includes('pixie')) {
      options.pixie = {
        ...file.pixie,
        deployKey: io.env.PIXIE_DEPLOY_KEY ?? file.pixie?.deployKey ?? '',
        clusterName: values['pixie-cluster'] ?? file.pixie?.clusterName ?? '',
      };
    }
    const bundle = stack(options);
    validateBundle(bundle.objects);
    if (values.out) {
      const written = writeKustomize(bundle, values.out);
      const steps = applyCommands(bundle, values.out).map((c) => `  ${c}\n`);
      io.stderr(
        `vigil-manifests: wrote ${written.length} files to ${values.out}; apply with:\n${steps.join('')}`,
      );
    } else {
      io.stdout(toYaml(bundle.objects));
    }
    return 0;
  } catch (e) {
    if (e instanceof ManifestError) {
      io.stderr(`vigil-manifests: ${e.code} ${e.message}${e.fix ? ` Fix: ${e.fix}.` : ''}\n`);
      return 2;
    }
    io.stderr(`vigil-manifests: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** Reads stack options from a YAML or JSON file (JSON is YAML), so every option is reachable from the CLI. */
function readConfig(path: string): Partial<StackOptions> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ManifestError('INVALID_OPTION', `cannot read ${path}: ${(e as Error).message}`, {
      field: '--config',
    });
  }
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (e) {
    throw new ManifestError('INVALID_OPTION', `${path} is not YAML or JSON: ${(e as Error).message}`, {
      field: '--config',
    });
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ManifestError('INVALID_OPTION', `${path} must hold an object of stack() options.`, {
      field: '--config',
    });
  }
  return config as Partial<StackOptions>;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'otlp-endpoint': { type: 'string' },
      protocol: { type: 'string' },
      namespace: { type: 'string' },
      'agent-namespace': { type: 'string' },
      tools: { type: 'string' },
      policies: { type: 'string' },
      enforce: { type: 'boolean' },
      'priority-class': { type: 'string' },
      label: { type: 'string', multiple: true },
      'pixie-cluster': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
