import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type KubeObject, type StackOptions, stack, TOOLS, toYaml } from '../../src/index.js';
import type { Loose } from '../helpers/expect-valid.js';
import { catchError, expectBundleValid, upstreamErrors } from '../helpers/expect-valid.js';

const pixie = { deployKey: 'px-dep-test', clusterName: 'ci' };
const podSpecs = (objects: KubeObject[]) =>
  objects
    .filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment')
    .map((o) => ({
      name: o.metadata.name,
      pod: (o.spec as { template: { spec: Record<string, unknown> } }).template.spec,
    }));

describe('stack()', () => {
  it('default stack: namespace, collector, Beyla, Tetragon, Parca — all valid and cross-referenced', () => {
    const bundle = stack({ otlpEndpoint: 'https://otlp.example.com:4317' });
    expect(bundle.namespace).toBe('vigil-observability');
    expect(bundle.byTool.pixie).toEqual([]);
    expectBundleValid(bundle.objects);
    expect(bundle.objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'vigil-observability' } });
    expect(bundle.objects.length).toBe(Object.values(bundle.byTool).reduce((n, list) => n + list.length, 0));
  });

  it('every tool shares namespace, labels, priority class and tolerations', () => {
    const tolerations = [{ key: 'obs', operator: 'Exists' as const, effect: 'NoSchedule' as const }];
    const bundle = stack({
      namespace: 'obs',
      otlpEndpoint: 'http://collector.backend:4317',
      tools: [...TOOLS],
      labels: { team: 'sre', 'example.com/env': 'prod' },
      priorityClassName: 'system-node-critical',
      tolerations,
      pixie: { ...pixie, collectorNamespace: 'obs' },
    });
    expectBundleValid(bundle.objects);
    for (const o of bundle.objects) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({
        team: 'sre',
        'example.com/env': 'prod',
      });
      if (o.kind !== 'Namespace' && !o.kind.startsWith('Cluster') && o.kind !== 'TracingPolicy') {
        expect(['obs', 'obs-agents', 'pl']).toContain(o.metadata.namespace);
      }
    }
    for (const { name, pod } of podSpecs(bundle.objects)) {
      expect(pod.priorityClassName, name).toBe('system-node-critical');
      expect(pod.tolerations, name).toEqual(tolerations);
    }
    expect(bundle.byTool.pixie[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'pl' } });
  });

  it('the default stack as YAML is stable (snapshot) and parses back to the same objects', () => {
    const bundle = stack({ namespace: 'obs', otlpEndpoint: 'https://otlp.example.com:4317' });
    const yaml = toYaml(bundle.objects);
    expect(yaml).toMatchSnapshot();
    const docs = parseAllDocuments(yaml).map((d) => d.toJS());
    expect(docs).toEqual(JSON.parse(JSON.stringify(bundle.objects)));
  });

  it('a Pixie-only stack is snapshot too', () => {
    const bundle = stack({
      namespace: 'obs',
      otlpEndpoint: 'https://otlp.example.com',
      tools: ['pixie'],
      pixie,
    });
    expect(toYaml(bundle.byTool.pixie)).toMatchSnapshot();
  });

  it('rejects invalid stack options with the field and allowed values', () => {
    const e = catchError(() => stack({ otlpEndpoint: 'https://o', tools: ['beyla', 'falco' as never] }));
    expect([e.code, e.field, e.allowed]).toEqual(['INVALID_OPTION', 'tools[1]', [...TOOLS]]);
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', tools: ['pixie'] })).field).toBe('pixie');
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', tools: ['beyla'], parca: {} })).field).toBe(
      'parca',
    );
    expect(catchError(() => stack({ otlpEndpoint: 'nope' })).field).toBe('collector.otlpEndpoint');
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', namespace: 'x'.repeat(64) })).field).toBe(
      'namespace',
    );
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', labels: { 'bad key!': 'v' } })).field).toBe(
      'labels.bad key!',
    );
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', tools: ['beyla', 'beyla'] })).field).toBe(
      'tools',
    );
    expect(catchError(() => stack({ otlpEndpoint: 'https://o', toolz: [] } as never)).field).toBe('toolz');
    expect(catchError(() => stack(null as never)).field).toBe('options');
  });
});

const withTool = (o: StackOptions, tool: (typeof TOOLS)[number]) => [...new Set([...(o.tools ?? []), tool])];

// Generators of valid option values, drawn from the same rules the generators enforce.
// Not 'pl', Pixie's own namespace, which must differ from the stack's.
const dnsLabel = fc
  .stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/)
  .filter((s) => s.length <= 63 && s !== 'pl');
const labelValue = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/);
const validOptions: fc.Arbitrary<StackOptions> = fc
  .record({
    namespace: dnsLabel,
    otlpEndpoint: fc.constantFrom(
      'https://otlp.example.com:4317',
      'http://tempo.tracing:4318',
      'https://api.vendor.io',
    ),
    tools: fc.subarray([...TOOLS]),
    labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), labelValue, { maxKeys: 3 }),
    priorityClassName: fc.option(fc.constantFrom('system-node-critical', 'observability-high'), {
      nil: undefined,
    }),
    collector: fc.record({
      protocol: fc.constantFrom('grpc' as const, 'http' as const),
      replicas: fc.integer({ min: 1, max: 5 }),
    }),
  })
  .map((o) => {
    const out: StackOptions = { ...o };
    if (o.priorityClassName === undefined) delete out.priorityClassName;
    if (o.tools?.includes('pixie')) out.pixie = pixie;
    if (o.tools?.includes('tetragon')) out.tetragon = { enforce: o.collector?.replicas === 2 };
    if (o.tools?.includes('beyla'))
      out.beyla = { protocol: o.collector?.protocol === 'grpc' ? 'grpc' : 'http/protobuf' };
    return out;
  });

describe('stack() properties', () => {
  it('random valid options always give a valid, fully cross-referenced bundle', () => {
    fc.assert(
      fc.property(validOptions, (options) => {
        const bundle = stack(options);
        expectBundleValid(bundle.objects);
        // Every container has requests and a memory limit: nothing in the stack runs BestEffort.
        for (const { name, pod } of podSpecs(bundle.objects)) {
          for (const c of pod.containers as { resources: Loose }[]) {
            expect(c.resources.requests?.cpu, name).toBeDefined();
            expect(c.resources.requests?.memory, name).toBeDefined();
            expect(c.resources.limits?.memory, name).toBeDefined();
          }
        }
        expect(
          bundle.objects.every(
            (o) =>
              o.metadata.namespace === undefined ||
              [options.namespace, `${options.namespace}-agents`, 'pl'].includes(o.metadata.namespace),
          ),
        ).toBe(true);
      }),
      { seed: 20261129, numRuns: 40 },
    );
  });

  it('one invalid field always throws a typed error naming that field', () => {
    const corruptions: [string, (o: StackOptions) => StackOptions][] = [
      ['namespace', (o) => ({ ...o, namespace: `${o.namespace}_X` })],
      ['collector.otlpEndpoint', (o) => ({ ...o, otlpEndpoint: 'otlp.example.com:4317' })],
      [
        'tools[0]',
        (o) => ({
          ...o,
          tools: ['zipkin' as never],
          beyla: undefined,
          tetragon: undefined,
          pixie: undefined,
        }),
      ],
      ['collector.replicas', (o) => ({ ...o, collector: { ...o.collector, replicas: -1 } })],
      ['priorityClassName', (o) => ({ ...o, priorityClassName: 'Not Valid' })],
      ['labels.k', (o) => ({ ...o, labels: { k: '-bad-' } })],
      ['collector.protocol', (o) => ({ ...o, collector: { ...o.collector, protocol: 'udp' as never } })],
      [
        'beyla.protocol',
        (o) => ({ ...o, tools: withTool(o, 'beyla'), beyla: { protocol: 'thrift' as never } }),
      ],
      [
        'tetragon.policies[0]',
        (o) => ({ ...o, tools: withTool(o, 'tetragon'), tetragon: { policies: ['cryptominers' as never] } }),
      ],
      [
        'parca.storageActiveMemory',
        (o) => ({ ...o, tools: withTool(o, 'parca'), parca: { storageActiveMemory: '1Ti' } }),
      ],
      [
        'pixie.deployKey',
        (o) => ({ ...o, tools: withTool(o, 'pixie'), pixie: { deployKey: ' ', clusterName: 'c' } }),
      ],
    ];
    fc.assert(
      fc.property(validOptions, fc.constantFrom(...corruptions), (options, [field, corrupt]) => {
        const broken = corrupt(options);
        for (const k of Object.keys(broken) as (keyof StackOptions)[])
          if (broken[k] === undefined) delete broken[k];
        const e = catchError(() => stack(broken));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.field).toBe(field);
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('is deterministic: the same options give byte-identical YAML', () => {
    fc.assert(
      fc.property(validOptions, (options) => {
        const first = toYaml(stack(options).objects);
        const second = toYaml(stack(options).objects);
        expect(second).toBe(first);
      }),
      { seed: 42, numRuns: 20 },
    );
  });

  it('upstream schema check itself sees a corrupted policy (sanity of the property above)', () => {
    const bundle = stack({ otlpEndpoint: 'https://o', tools: ['tetragon'] });
    const policy = bundle.byTool.tetragon.find((o) => o.kind === 'TracingPolicy') as KubeObject & {
      spec: Loose;
    };
    policy.spec.kprobes[0].args[0].type = 'pointer';
    expect(upstreamErrors(bundle.byTool.tetragon).length).toBeGreaterThan(0);
  });
});
