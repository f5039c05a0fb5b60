import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ManifestError } from '../errors.js';
import { applyCommands, kustomizeFiles } from '../stack/kustomize.js';
import { type StackOptions, stack, TOOLS, type ToolName } from '../stack/stack.js';
import { POLICY_NAMES, type PolicyName } from '../tetragon/library.js';
import { validateBundle } from '../validate/bundle.js';
import { toYaml } from '../yaml.js';

/** Where {@link runCli} writes: injectable so tests capture output without touching the process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

export const USAGE = `Usage: vigil-manifests --otlp-endpoint URL [options]

Generates the Vigil eBPF observability stack (OpenTelemetry Collector + Beyla, Tetragon, Parca, Pixie),
validates it, and prints multi-document YAML or writes a kustomize tree.

  --otlp-endpoint URL     your OTLP backend, http(s)://host:port (required)
  --protocol grpc|http    protocol of the backend (default grpc)
  --namespace NAME        namespace of the stack (default vigil-observability)
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
  if (!values['otlp-endpoint']) {
    io.stderr(`vigil-manifests: --otlp-endpoint is required\n\n${USAGE}`);
    return 2;
  }
  try {
    const labels: Record<string, string> = {};
    for (const kv of values.label ?? []) {
      const eq = kv.indexOf('=');
      if (eq <= 0)
        throw new ManifestError('INVALID_OPTION', '--label', `${JSON.stringify(kv)} must be KEY=VALUE.`);
      labels[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const tools = list(values.tools) as ToolName[] | undefined;
    const options: StackOptions = {
      otlpEndpoint: values['otlp-endpoint'],
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(tools ? { tools } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(values['priority-class'] ? { priorityClassName: values['priority-class'] } : {}),
      collector: { ...(values.protocol ? { protocol: values.protocol as 'grpc' | 'http' } : {}) },
    };
    const chosen = tools ?? ['beyla', 'tetragon', 'parca'];
    if (chosen.includes('tetragon')) {
      options.tetragon = {
        enforce: values.enforce ?? false,
        ...(values.policies !== undefined ? { policies: list(values.policies) as PolicyName[] } : {}),
      };
    }
    if (chosen.includes('pixie')) {
      options.pixie = {
        deployKey: io.env.PIXIE_DEPLOY_KEY ?? '',
        clusterName: values['pixie-cluster'] ?? '',
      };
    }
    const bundle = stack(options);
    validateBundle(bundle.objects);
    if (values.out) {
      const files = kustomizeFiles(bundle);
      for (const [path, text] of Object.entries(files)) {
        const target = join(values.out, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
      const steps = applyCommands(bundle, values.out).map((c) => `  ${c}\n`);
      io.stderr(
        `vigil-manifests: wrote ${Object.keys(files).length} files to ${values.out}; apply with:\n${steps.join('')}`,
      );
    } else {
      io.stdout(toYaml(bundle.objects));
    }
    return 0;
  } catch (e) {
    if (e instanceof ManifestError) {
      io.stderr(`vigil-manifests: ${e.code} ${e.message}\n`);
      return 2;
    }
    io.stderr(`vigil-manifests: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'otlp-endpoint': { type: 'string' },
      protocol: { type: 'string' },
      namespace: { type: 'string' },
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
