import { describe, expect, it } from 'vitest';
import { checkNumberOption, VigilError, VigilInputError } from '../../src/errors.js';

describe('VigilError, the one error family', () => {
  it('carries code, field and fix, with the constructor order (code, message, details)', () => {
    const cause = new Error('underlying');
    const e = new VigilError('SNAPSHOT_VERSION', 'Too new.', { field: 'version', fix: 'upgrade', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'VigilError',
      code: 'SNAPSHOT_VERSION',
      field: 'version',
      fix: 'upgrade',
    });
    expect(e.message).toBe('Too new.');
    expect(e.cause).toBe(cause);
    const bare = new VigilError('NOT_FITTED', 'x');
    expect([bare.field, bare.fix, bare.cause, 'cause' in bare]).toEqual([
      undefined,
      undefined,
      undefined,
      false,
    ]);
  });

  it('VigilInputError extends it and takes a field name or the full details', () => {
    const byName = new VigilInputError('INVALID_OPTION', 'bad', 'options.window');
    expect(byName).toBeInstanceOf(VigilError);
    expect(byName).toMatchObject({
      name: 'VigilInputError',
      code: 'INVALID_OPTION',
      field: 'options.window',
    });
    expect(byName.fix).toBeUndefined();
    const full = new VigilInputError('TOO_SHORT', 'short', { field: 'train', fix: 'fit on more points' });
    expect(full).toMatchObject({ field: 'train', fix: 'fit on more points' });
    expect(() => checkNumberOption('options.window', -1, { min: 2 })).toThrowError(VigilError);
  });

  it('lets another package extend it with its own codes', () => {
    class ManifestLikeError extends VigilError<'SCHEMA_VIOLATION'> {}
    const e = new ManifestLikeError('SCHEMA_VIOLATION', 'spec.replicas must be an integer', {
      field: 'spec',
    });
    expect(e).toBeInstanceOf(VigilError);
    expect(e.code).toBe('SCHEMA_VIOLATION');
  });
});
