// The one error family, across the built packages as users import them: each package's error class extends the
// same VigilError, whose `code`, `field` and `fix` a caller can read without knowing which package threw.

import { createRequire } from 'node:module';
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

describe('one error family across the ESM and CommonJS builds loaded in one process', () => {
  // An application that both `import`s and `require`s Vigil gets two copies of every class; an error from one copy
  // must still be `instanceof` the other's classes, and nothing else may be.
  const require = createRequire(import.meta.url);
  const cjsCore = require('@vigil/core') as typeof import('@vigil/core');
  const cjsErrors = require('@vigil/errors') as typeof import('@vigil/errors');

  it('loads two distinct copies (so the test means something)', () => {
    expect(cjsErrors.VigilError).not.toBe(VigilError);
    expect(cjsCore.VigilInputError).not.toBe(VigilInputError);
  });

  it('an error thrown by the CommonJS copy is an instance of the ESM classes, and the other way round', () => {
    const fromCjs = thrown(() => cjsCore.toSeries({ timestamps: [], values: [] }));
    expect(fromCjs).toBeInstanceOf(VigilError);
    expect(fromCjs).toBeInstanceOf(VigilInputError);
    const fromEsm = thrown(() => toSeries({ timestamps: [], values: [] }));
    expect(fromEsm).toBeInstanceOf(cjsErrors.VigilError);
    expect(fromEsm).toBeInstanceOf(cjsCore.VigilInputError);
  });

  it('a sibling class, a plain Error and a look-alike object are not instances', () => {
    const fromCjs = thrown(() => cjsCore.toSeries({ timestamps: [], values: [] }));
    expect(fromCjs).not.toBeInstanceOf(ManifestError);
    expect(fromCjs).not.toBeInstanceOf(VigilEbpfError);
    expect(new Error('x')).not.toBeInstanceOf(cjsErrors.VigilError);
    expect({ name: 'VigilError', code: 'X' }).not.toBeInstanceOf(VigilError);
    expect(null).not.toBeInstanceOf(VigilError);
    const manifest = thrown(() => stack({ namespace: 'Bad_NS', otlpEndpoint: 'http://x:4317' }));
    expect(manifest).toBeInstanceOf(cjsErrors.VigilError);
    expect(manifest).not.toBeInstanceOf(cjsCore.VigilInputError);
  });
});
