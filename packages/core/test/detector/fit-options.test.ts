import { describe, expect, it } from 'vitest';
import { throwIfAborted, yieldAndCheck } from '../../src/detector/fit-options.js';
import { VigilAbortError, VigilError } from '../../src/errors.js';

describe('abort checks of long fits', () => {
  it('throw nothing without a signal or before it fires', async () => {
    expect(() => throwIfAborted(undefined, 'x')).not.toThrow();
    await expect(yieldAndCheck(new AbortController().signal, 'x')).resolves.toBeUndefined();
  });

  it('throw VigilAbortError (ABORTED, AbortError) with the reason as cause once it fired', () => {
    const reason = new Error('user pressed stop');
    try {
      throwIfAborted(AbortSignal.abort(reason), 'prophet fit');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VigilAbortError);
      expect(e).toBeInstanceOf(VigilError);
      const a = e as VigilAbortError;
      expect([a.code, a.name, a.cause, a.message]).toEqual([
        'ABORTED',
        'AbortError',
        reason,
        'prophet fit was aborted; the detector keeps its previous state.',
      ]);
    }
  });

  it('yieldAndCheck lets a timer abort land', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    await new Promise((r) => setTimeout(r, 5));
    await expect(yieldAndCheck(controller.signal, 'fit')).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
