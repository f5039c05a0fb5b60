// The one error family, across the built packages as users import them: each package's error class extends the
// same VigilError, whose `code`, `field` and `fix` a caller can read without knowing which package threw.
import { VigilError as CoreVigilError, toSeries, VigilInputError } from '@vigil/core';
import { ManifestError, stack } from '@vigil/deploy-manifests';
import { VigilEbpfError } from '@vigil/ebpf-native';
import { VigilError } from '@vigil/errors';
import { describe, expect, it } from 'vitest';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('every package throws a VigilError', () => {
  it('core re-exports the same base class', () => {
    expect(CoreVigilError).toBe(VigilError);
  });

  it('core: VigilInputError', () => {
    const e = thrown(() => toSeries({ timestamps: [], values: [] }));
    expect(e).toBeInstanceOf(VigilInputError);
    expect(e).toBeInstanceOf(VigilError);
    expect((e as VigilError).code).toBe('EMPTY_INPUT');
  });

  it('deploy-manifests: ManifestError, with the field at fault', () => {
    const e = thrown(() => stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }));
    expect(e).toBeInstanceOf(ManifestError);
    expect(e).toBeInstanceOf(VigilError);
    expect([(e as VigilError).code, (e as VigilError).field]).toEqual(['INVALID_OPTION', 'namespace']);
  });

  it('ebpf-native: VigilEbpfError, with the fix', () => {
    const e = new VigilEbpfError('EBPF_PERMISSION', 'Loading BPF programs needs privileges.', {
      fix: 'run as root',
      errno: 1,
    });
    expect(e).toBeInstanceOf(VigilError);
    expect([e.code, e.fix, e.errno, e.name]).toEqual(['EBPF_PERMISSION', 'run as root', 1, 'VigilEbpfError']);
  });
});
