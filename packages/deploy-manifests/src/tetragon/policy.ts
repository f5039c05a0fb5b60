import { assertDnsLabel, assertDnsSubdomain, assertInteger, assertLabels, assertOneOf } from '../common.js';
import { ManifestError } from '../errors.js';
import {
  ACTIONS,
  ARG_OPERATORS,
  ARG_TYPES,
  BINARY_OPERATORS,
  type KProbeSpec,
  type LsmHookSpec,
  NAMESPACE_KINDS,
  type PodSelector,
  type PolicyArg,
  type Selector,
  type TracepointSpec,
  type TracingPolicy,
  type TracingPolicyNamespaced,
  type TracingPolicySpec,
  type UProbeSpec,
} from './types.js';

/** Tetragon evaluates at most this many selectors per hook (its `MaxSelectors`). */
export const MAX_SELECTORS = 5;
/** Tetragon reads arguments 0-4 of a hook. */
export const MAX_ARG_INDEX = 4;

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const RATE = /^\d+[smh]?$/;
// Operators whose values are not free strings but are checked by the kernel side; an empty list is meaningless.
const NEEDS_VALUES = ARG_OPERATORS.filter(
  (op) => op !== 'SPortPriv' && op !== 'DPortPriv' && op !== 'NotSportPriv',
);

type HookKind = 'kprobes' | 'tracepoints' | 'uprobes' | 'lsmhooks';

function fail(field: string, message: string, allowed?: readonly string[]): never {
  throw new ManifestError('INVALID_POLICY', message, { field, allowed });
}

function checkArgs(field: string, args: PolicyArg[] | undefined): Set<number> {
  const seen = new Set<number>();
  (args ?? []).forEach((a, i) => {
    const at = `${field}.args[${i}]`;
    assertInteger(`${at}.index`, a.index, 0, MAX_ARG_INDEX);
    assertOneOf(`${at}.type`, a.type, ARG_TYPES);
    if (seen.has(a.index))
      fail(`${at}.index`, `argument ${a.index} is declared twice; declare each index once.`);
    seen.add(a.index);
    if (a.sizeArgIndex !== undefined)
      assertInteger(`${at}.sizeArgIndex`, a.sizeArgIndex, 1, MAX_ARG_INDEX + 1);
  });
  return seen;
}

function checkSelectors(
  field: string,
  kind: HookKind,
  hook: KProbeSpec | TracepointSpec | UProbeSpec | LsmHookSpec,
) {
  const declared = checkArgs(field, hook.args);
  const selectors: Selector[] = hook.selectors ?? [];
  if (selectors.length > MAX_SELECTORS) {
    fail(
      `${field}.selectors`,
      `has ${selectors.length} selectors; Tetragon evaluates at most ${MAX_SELECTORS}.`,
    );
  }
  selectors.forEach((s, si) => {
    const at = `${field}.selectors[${si}]`;
    (s.matchArgs ?? []).forEach((m, mi) => {
      const f = `${at}.matchArgs[${mi}]`;
      assertOneOf(`${f}.operator`, m.operator, ARG_OPERATORS);
      if (!declared.has(m.index)) {
        fail(
          `${f}.index`,
          `filters argument ${m.index}, which the hook does not declare in args; declare it first.`,
        );
      }
      if ((NEEDS_VALUES as readonly string[]).includes(m.operator) && (!m.values || m.values.length === 0)) {
        fail(`${f}.values`, `operator ${m.operator} needs at least one value.`);
      }
    });
    (s.matchBinaries ?? []).forEach((m, mi) => {
      const f = `${at}.matchBinaries[${mi}]`;
      assertOneOf(`${f}.operator`, m.operator, BINARY_OPERATORS);
      if (!Array.isArray(m.values) || m.values.length === 0)
        fail(`${f}.values`, 'needs at least one binary path.');
      if ((m.operator === 'In' || m.operator === 'NotIn') && m.values.some((v) => !v.startsWith('/'))) {
        fail(
          `${f}.values`,
          `operator ${m.operator} compares full paths; write absolute paths such as /usr/bin/curl.`,
        );
      }
    });
    (s.matchNamespaces ?? []).forEach((m, mi) => {
      const f = `${at}.matchNamespaces[${mi}]`;
      assertOneOf(`${f}.namespace`, m.namespace, NAMESPACE_KINDS);
      assertOneOf(`${f}.operator`, m.operator, ['In', 'NotIn']);
      if (!Array.isArray(m.values) || m.values.length === 0) {
        fail(`${f}.values`, "needs at least one namespace inode or 'host_ns'.");
      }
    });
    (s.matchActions ?? []).forEach((m, mi) => {
      const f = `${at}.matchActions[${mi}]`;
      assertOneOf(`${f}.action`, m.action, ACTIONS);
      if (m.action === 'Override') {
        // The kernel only lets BPF override the return of syscalls, error-injectable functions and LSM hooks.
        const overridable =
          kind === 'lsmhooks' ||
          (kind === 'kprobes' &&
            ((hook as KProbeSpec).syscall === true || (hook as KProbeSpec).call.startsWith('security_')));
        if (!overridable) {
          fail(
            f,
            'Override works only on syscall kprobes (syscall: true), security_* kprobes and LSM hooks.',
          );
        }
        if (
          typeof m.argError !== 'number' ||
          !Number.isInteger(m.argError) ||
          m.argError >= 0 ||
          m.argError < -4095
        ) {
          fail(
            `${f}.argError`,
            'Override needs argError, a negative errno between -4095 and -1 (e.g. -1 for EPERM).',
          );
        }
      }
      if (m.action === 'Signal') assertInteger(`${f}.argSig`, m.argSig, 1, 64);
      if (m.action === 'GetUrl' && !(typeof m.argUrl === 'string' && /^https?:\/\//.test(m.argUrl))) {
        fail(`${f}.argUrl`, 'GetUrl needs argUrl, an http(s) URL.');
      }
      if (m.action === 'DnsLookup' && !(typeof m.argFqdn === 'string' && m.argFqdn.length > 0)) {
        fail(`${f}.argFqdn`, 'DnsLookup needs argFqdn, a host name.');
      }
      if (m.rateLimit !== undefined && !RATE.test(m.rateLimit)) {
        fail(
          `${f}.rateLimit`,
          `${JSON.stringify(m.rateLimit)} is not a period; write e.g. '30s', '1m' or '1h'.`,
        );
      }
    });
  });
}

/**
 * Checks a TracingPolicy spec for what the CRD schema cannot express: argument indexes in range and declared
 * before selectors use them, at most five selectors, absolute paths for `In` binaries, `Override` only where the
 * kernel allows it and with a negative errno.
 *
 * @throws {ManifestError} `INVALID_POLICY` (or `INVALID_OPTION` for enums) naming the field, e.g.
 *   `spec.kprobes[0].selectors[1].matchArgs[0].index`.
 */
export function validatePolicySpec(spec: TracingPolicySpec, field = 'spec'): void {
  const count =
    (spec.kprobes?.length ?? 0) +
    (spec.tracepoints?.length ?? 0) +
    (spec.uprobes?.length ?? 0) +
    (spec.lsmhooks?.length ?? 0);
  if (count === 0) fail(field, 'has no hooks; add at least one kprobe, tracepoint, uprobe or LSM hook.');
  (spec.kprobes ?? []).forEach((k, i) => {
    const at = `${field}.kprobes[${i}]`;
    if (typeof k.call !== 'string' || !SYMBOL.test(k.call))
      fail(`${at}.call`, 'must be a kernel symbol name.');
    if (k.returnArg) {
      assertOneOf(`${at}.returnArg.type`, k.returnArg.type, ARG_TYPES);
      if (!k.return) fail(`${at}.returnArg`, 'needs return: true so the return probe is attached.');
    }
    // The CRD's CEL rule: a return probe must say what to read.
    if (k.return && !k.returnArg)
      fail(`${at}.returnArg`, 'is required with return: true; add e.g. { index: 0, type: "int" }.');
    checkSelectors(at, 'kprobes', k);
  });
  (spec.tracepoints ?? []).forEach((t, i) => {
    const at = `${field}.tracepoints[${i}]`;
    if (typeof t.subsystem !== 'string' || !SYMBOL.test(t.subsystem))
      fail(`${at}.subsystem`, 'must be a name.');
    if (typeof t.event !== 'string' || !SYMBOL.test(t.event)) fail(`${at}.event`, 'must be a name.');
    checkSelectors(at, 'tracepoints', t);
  });
  (spec.uprobes ?? []).forEach((u, i) => {
    const at = `${field}.uprobes[${i}]`;
    if (typeof u.path !== 'string' || !u.path.startsWith('/'))
      fail(`${at}.path`, 'must be an absolute path.');
    if (!Array.isArray(u.symbols) || u.symbols.length === 0 || u.symbols.some((s) => !SYMBOL.test(s))) {
      fail(`${at}.symbols`, 'needs at least one symbol name.');
    }
    checkSelectors(at, 'uprobes', u);
  });
  (spec.lsmhooks ?? []).forEach((h, i) => {
    const at = `${field}.lsmhooks[${i}]`;
    if (typeof h.hook !== 'string' || !SYMBOL.test(h.hook)) fail(`${at}.hook`, 'must be an LSM hook name.');
    checkSelectors(at, 'lsmhooks', h);
  });
  if (spec.podSelector?.matchLabels)
    assertLabels(`${field}.podSelector.matchLabels`, spec.podSelector.matchLabels);
}

/**
 * A fluent, validating builder for Tetragon policies: add hooks, then `build()` a cluster-wide `TracingPolicy`,
 * or `build(namespace)` a `TracingPolicyNamespaced` that applies only to pods of that namespace.
 *
 * @example
 * const policy = new TracingPolicyBuilder('block-ptrace')
 *   .kprobe({ call: 'sys_ptrace', syscall: true, selectors: [{ matchActions: [{ action: 'Sigkill' }] }] })
 *   .build();
 * policy.kind // 'TracingPolicy'
 */
export class TracingPolicyBuilder {
  readonly #name: string;
  readonly #spec: TracingPolicySpec = {};
  #labels: Record<string, string> = {};

  /** @throws {ManifestError} `INVALID_OPTION` unless `name` is a DNS-1123 subdomain. */
  constructor(name: string) {
    assertDnsSubdomain('metadata.name', name);
    this.#name = name;
  }

  /** Adds a kprobe (kernel function or, with `syscall: true`, a syscall). */
  kprobe(spec: KProbeSpec): this {
    (this.#spec.kprobes ??= []).push(spec);
    return this;
  }

  /** Adds a static tracepoint. */
  tracepoint(spec: TracepointSpec): this {
    (this.#spec.tracepoints ??= []).push(spec);
    return this;
  }

  /** Adds a user-space probe. */
  uprobe(spec: UProbeSpec): this {
    (this.#spec.uprobes ??= []).push(spec);
    return this;
  }

  /** Adds a BPF-LSM hook. */
  lsmHook(spec: LsmHookSpec): this {
    (this.#spec.lsmhooks ??= []).push(spec);
    return this;
  }

  /** Limits the policy to pods matching `selector`. */
  podSelector(selector: PodSelector): this {
    this.#spec.podSelector = selector;
    return this;
  }

  /** Sets labels on the policy object. */
  labels(labels: Record<string, string>): this {
    this.#labels = { ...labels };
    return this;
  }

  /**
   * Validates and returns the policy object (deep-copied, so later builder calls do not change it).
   *
   * @throws {ManifestError} see {@link validatePolicySpec}.
   */
  build(): TracingPolicy;
  build(namespace: string): TracingPolicyNamespaced;
  build(namespace?: string): TracingPolicy | TracingPolicyNamespaced {
    validatePolicySpec(this.#spec);
    assertLabels('metadata.labels', this.#labels);
    const spec = structuredClone(this.#spec);
    const labels = Object.keys(this.#labels).length > 0 ? { labels: { ...this.#labels } } : {};
    if (namespace === undefined) {
      return {
        apiVersion: 'cilium.io/v1alpha1',
        kind: 'TracingPolicy',
        metadata: { name: this.#name, ...labels },
        spec,
      };
    }
    assertDnsLabel('metadata.namespace', namespace);
    return {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicyNamespaced',
      metadata: { name: this.#name, namespace, ...labels },
      spec,
    };
  }
}
