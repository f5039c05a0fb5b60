import { describe, expect, it } from 'vitest';
import { type KubeObject, TracingPolicyBuilder, validatePolicySpec } from '../../src/index.js';
import { catchError } from '../helpers/expect-valid.js';
import { schemaErrors } from '../helpers/schemas.js';

describe('TracingPolicyBuilder', () => {
  it('builds kprobes, tracepoints, uprobes and LSM hooks that the upstream CRDs accept', () => {
    const b = new TracingPolicyBuilder('all-hooks')
      .kprobe({
        call: 'sys_openat',
        syscall: true,
        args: [
          { index: 0, type: 'int' },
          { index: 1, type: 'string', label: 'path' },
        ],
        selectors: [
          {
            matchArgs: [{ index: 1, operator: 'Prefix', values: ['/etc/'] }],
            matchBinaries: [{ operator: 'In', values: ['/usr/bin/cat'], followChildren: true }],
            matchNamespaces: [{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }],
            matchActions: [{ action: 'Override', argError: -13 }],
          },
        ],
      })
      .tracepoint({
        subsystem: 'syscalls',
        event: 'sys_enter_execve',
        args: [{ index: 4, type: 'string' }],
        selectors: [{ matchActions: [{ action: 'Post', rateLimit: '1m', kernelStackTrace: true }] }],
      })
      .uprobe({
        path: '/bin/bash',
        symbols: ['readline'],
        selectors: [{ matchActions: [{ action: 'Signal', argSig: 19 }] }],
      })
      .lsmHook({
        hook: 'file_open',
        args: [{ index: 0, type: 'file' }],
        selectors: [
          {
            matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow'] }],
            matchActions: [{ action: 'Sigkill' }],
          },
        ],
      })
      .podSelector({ matchLabels: { app: 'api' } })
      .labels({ team: 'sec' });
    const cluster = b.build();
    const namespaced = b.build('shop');
    expect(cluster.kind).toBe('TracingPolicy');
    expect(namespaced).toMatchObject({
      kind: 'TracingPolicyNamespaced',
      metadata: { name: 'all-hooks', namespace: 'shop' },
    });
    expect(schemaErrors('TracingPolicy', cluster)).toEqual([]);
    expect(schemaErrors('TracingPolicyNamespaced', namespaced)).toEqual([]);
    expect(cluster.spec.kprobes?.[0].selectors?.[0].matchActions).toEqual([
      { action: 'Override', argError: -13 },
    ]);
    // build() copies: later changes to the builder do not alter an object already built.
    b.kprobe({ call: 'tcp_connect' });
    expect(cluster.spec.kprobes).toHaveLength(1);
  });

  it('rejects policies the kernel or Tetragon would refuse, naming the field', () => {
    const err = (spec: Parameters<typeof validatePolicySpec>[0]) =>
      catchError(() => validatePolicySpec(spec));
    expect(err({}).field).toBe('spec');
    expect(err({ kprobes: [{ call: 'x', args: [{ index: 5, type: 'int' }] }] }).field).toBe(
      'spec.kprobes[0].args[0].index',
    );
    expect(
      err({
        kprobes: [
          {
            call: 'x',
            args: [
              { index: 0, type: 'int' },
              { index: 0, type: 'int' },
            ],
          },
        ],
      }).field,
    ).toBe('spec.kprobes[0].args[1].index');
    const undeclared = err({
      kprobes: [
        {
          call: 'x',
          args: [{ index: 0, type: 'int' }],
          selectors: [{ matchArgs: [{ index: 2, operator: 'Equal', values: ['1'] }] }],
        },
      ],
    });
    expect([undeclared.code, undeclared.field]).toEqual([
      'INVALID_POLICY',
      'spec.kprobes[0].selectors[0].matchArgs[0].index',
    ]);
    expect(err({ kprobes: [{ call: 'x', selectors: Array.from({ length: 6 }, () => ({})) }] }).field).toBe(
      'spec.kprobes[0].selectors',
    );
    expect(
      err({
        tracepoints: [
          {
            subsystem: 's',
            event: 'e',
            selectors: [{ matchActions: [{ action: 'Override', argError: -1 }] }],
          },
        ],
      }).field,
    ).toBe('spec.tracepoints[0].selectors[0].matchActions[0]');
    expect(
      err({
        kprobes: [
          {
            call: 'sys_x',
            syscall: true,
            selectors: [{ matchActions: [{ action: 'Override', argError: 1 }] }],
          },
        ],
      }).field,
    ).toBe('spec.kprobes[0].selectors[0].matchActions[0].argError');
    expect(
      err({
        kprobes: [{ call: 'x', selectors: [{ matchBinaries: [{ operator: 'In', values: ['curl'] }] }] }],
      }).field,
    ).toBe('spec.kprobes[0].selectors[0].matchBinaries[0].values');
    const badEnum = err({
      kprobes: [{ call: 'x', selectors: [{ matchActions: [{ action: 'Explode' as never }] }] }],
    });
    expect(badEnum.allowed).toContain('Sigkill');
    expect(err({ kprobes: [{ call: 'x', return: true }] }).field).toBe('spec.kprobes[0].returnArg');
    expect(err({ uprobes: [{ path: 'bash', symbols: ['readline'] }] }).field).toBe('spec.uprobes[0].path');
    expect(err({ lsmhooks: [{ hook: 'file open' }] }).field).toBe('spec.lsmhooks[0].hook');
    expect(catchError(() => new TracingPolicyBuilder('Bad_Name')).field).toBe('metadata.name');
    expect(catchError(() => new TracingPolicyBuilder('ok').kprobe({ call: 'x' }).build('Bad NS')).field).toBe(
      'metadata.namespace',
    );
  });

  it('a policy from the builder passes the Kubernetes metadata schema too', async () => {
    const { validateObject } = await import('../../src/index.js');
    const p = new TracingPolicyBuilder('meta-check').kprobe({ call: 'tcp_connect' }).build();
    expect(validateObject(p as unknown as KubeObject)).toEqual([]);
  });
});
