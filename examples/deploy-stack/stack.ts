import { type Bundle, bundleProblems, stack, TracingPolicyBuilder } from '@vigil/deploy-manifests';

/**
 * The "5-minute deploy": the whole eBPF stack for one cluster, plus one custom Tetragon policy that blocks
 * `ptrace` in the `shop` namespace, everything exporting to `otlpEndpoint`.
 */
export function exampleStack(otlpEndpoint: string): Bundle {
  const blockPtrace = new TracingPolicyBuilder('shop-block-ptrace')
    .kprobe({
      call: 'sys_ptrace',
      syscall: true,
      args: [{ index: 0, type: 'int', label: 'request' }],
      selectors: [{ matchActions: [{ action: 'Sigkill' }] }],
      message: 'ptrace blocked in the shop namespace',
    })
    .build('shop');

  const bundle = stack({
    namespace: 'vigil-observability',
    otlpEndpoint,
    tools: ['beyla', 'tetragon', 'parca'],
    labels: { 'example.com/team': 'sre' },
    priorityClassName: 'system-node-critical',
    beyla: { namespaces: ['shop', 'payments'], instrumentations: ['http', 'grpc', 'sql'] },
    tetragon: { policies: ['sensitive-files', 'privilege-escalation'], extraPolicies: [blockPtrace] },
    parca: { storageActiveMemory: '512Mi' },
  });
  const problems = bundleProblems(bundle.objects);
  if (problems.length > 0) throw new Error(`generated bundle is inconsistent: ${JSON.stringify(problems)}`);
  return bundle;
}
