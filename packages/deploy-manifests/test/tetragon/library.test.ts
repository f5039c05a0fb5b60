import { describe, expect, it } from 'vitest';
import {
  libraryPolicy,
  outboundConnectionsPolicy,
  POLICY_NAMES,
  privilegeEscalationPolicy,
  sensitiveFilesPolicy,
} from '../../src/index.js';
import { catchError } from '../helpers/expect-valid.js';
import { schemaErrors } from '../helpers/schemas.js';

describe('policy library', () => {
  it('every policy, observing and enforcing, cluster-wide and namespaced, passes the upstream CRDs', () => {
    for (const name of POLICY_NAMES) {
      for (const enforce of [false, true]) {
        const cluster = libraryPolicy(name, { enforce });
        expect(cluster.metadata.name).toBe(`vigil-${name}${enforce ? '-enforce' : ''}`);
        expect(schemaErrors('TracingPolicy', cluster)).toEqual([]);
        const ns = libraryPolicy(name, { enforce, namespace: 'shop', allowedBinaries: ['/usr/bin/sudo'] });
        expect(ns.kind).toBe('TracingPolicyNamespaced');
        expect(schemaErrors('TracingPolicyNamespaced', ns)).toEqual([]);
      }
    }
  });

  it('observing variants have no enforcing action; enforcing ones kill or override', () => {
    const actions = (p: ReturnType<typeof libraryPolicy>) =>
      [...(p.spec.kprobes ?? []), ...(p.spec.lsmhooks ?? [])].flatMap((h) =>
        (h.selectors ?? []).flatMap((s) => (s.matchActions ?? []).map((a) => a.action)),
      );
    for (const name of POLICY_NAMES) expect(actions(libraryPolicy(name))).toEqual([]);
    expect(actions(sensitiveFilesPolicy({ enforce: true }))).toEqual(['Sigkill', 'Sigkill']);
    expect(actions(outboundConnectionsPolicy({ enforce: true }))).toEqual(['Sigkill']);
    expect(actions(privilegeEscalationPolicy({ enforce: true }))).toEqual(['Override', 'Override']);
  });

  it('sensitive files watches the given prefixes, by kprobe or by LSM hook', () => {
    const p = sensitiveFilesPolicy({ paths: ['/etc/shadow', '/srv/keys'] });
    expect(p.spec.kprobes?.map((k) => k.call)).toEqual([
      'security_file_permission',
      'security_path_truncate',
    ]);
    expect(p.spec.kprobes?.[0].selectors?.[0].matchArgs).toEqual([
      { index: 0, operator: 'Prefix', values: ['/etc/shadow', '/srv/keys'] },
    ]);
    const lsm = sensitiveFilesPolicy({ useLsm: true, enforce: true });
    expect(lsm.spec.lsmhooks?.[0].hook).toBe('file_open');
    expect(lsm.spec.kprobes).toBeUndefined();
    expect(schemaErrors('TracingPolicy', lsm)).toEqual([]);
  });

  it('outbound connections reports destinations outside the allowed CIDRs', () => {
    const p = outboundConnectionsPolicy({ allowedCidrs: ['10.0.0.0/8', 'fd00::/8'] });
    expect(p.spec.kprobes?.[0]).toMatchObject({
      call: 'tcp_connect',
      selectors: [{ matchArgs: [{ index: 0, operator: 'NotDAddr', values: ['10.0.0.0/8', 'fd00::/8'] }] }],
    });
  });

  it('rejects bad library options', () => {
    expect(catchError(() => libraryPolicy('crypto-mining' as never)).allowed).toEqual([...POLICY_NAMES]);
    expect(catchError(() => outboundConnectionsPolicy({ allowedCidrs: ['10.0.0.0/33'] })).field).toBe(
      'allowedCidrs[0]',
    );
    expect(catchError(() => sensitiveFilesPolicy({ paths: ['etc/shadow'] })).field).toBe('paths');
    expect(catchError(() => privilegeEscalationPolicy({ allowedBinaries: ['sudo'] })).field).toBe(
      'allowedBinaries',
    );
  });
});
