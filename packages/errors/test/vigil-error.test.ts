import { describe, expect, it } from 'vitest';
import { VigilError } from '../src/index.js';

class ThingError extends VigilError<'BAD_THING'> {
  constructor(message: string, field: string) {
    super('BAD_THING', message, { field, fix: 'pass a good thing' });
    this.name = 'ThingError';
  }
}

describe('VigilError', () => {
  it('carries code, field, fix and cause, and subclasses stay instances of it', () => {
    const cause = new Error('low level');
    const e = new VigilError('SOME_CODE', 'what went wrong', { field: 'options.x', fix: 'do y', cause });
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message, e.field, e.fix, e.cause]).toEqual([
      'VigilError',
      'SOME_CODE',
      'what went wrong',
      'options.x',
      'do y',
      cause,
    ]);
    const t = new ThingError('no thing', 'thing');
    expect(t).toBeInstanceOf(VigilError);
    expect([t.name, t.code, t.field, t.fix]).toEqual([
      'ThingError',
      'BAD_THING',
      'thing',
      'pass a good thing',
    ]);
  });

  it('leaves field, fix and cause undefined when not given', () => {
    const e = new VigilError('X', 'm');
    expect([e.field, e.fix, 'cause' in e]).toEqual([undefined, undefined, false]);
  });
});
