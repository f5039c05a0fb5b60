import { describe, expect, it } from 'vitest';
import { describeAction, targetKey } from '../../src/response/describe-action.js';
import { fillPlaceholders } from '../../src/response/fill-placeholders.js';
import { globToRegExp } from '../../src/response/glob.js';
import { SlidingWindowLimit } from '../../src/response/sliding-window-limit.js';
import { TokenBucket } from '../../src/response/token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at its rate, never above the burst', () => {
    const b = new TokenBucket(2, 6); // one token every 10 s
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(b.take(5_000)).toBe(false); // half a token
    expect(b.take(10_000)).toBe(true);
    // An hour idle refills only up to the burst.
    expect([b.take(3_610_000), b.take(3_610_000), b.take(3_610_000)]).toEqual([true, true, false]);
    b.refund();
    expect(b.take(3_610_000)).toBe(true);
  });
});

describe('SlidingWindowLimit', () => {
  it('admits at most max events in any window, and forgets removed ones', () => {
    const w = new SlidingWindowLimit(2, 3_600_000);
    expect([w.tryAdd(0), w.tryAdd(1), w.tryAdd(2)]).toEqual([true, true, false]);
    expect(w.count(2)).toBe(2);
    expect(w.tryAdd(3_600_000)).toBe(true); // the event at 0 has left the window
    expect(w.tryAdd(3_600_000)).toBe(false);
    w.remove(3_600_000);
    expect(w.tryAdd(3_600_001)).toBe(true);
  });
});

describe('globs, placeholders and descriptions', () => {
  it('matches whole keys with * and ?', () => {
    expect(globToRegExp('checkout/*').test('checkout/http.server.request.duration{http.route=/pay}')).toBe(
      true,
    );
    expect(globToRegExp('*/latency').test('db/latency')).toBe(true);
    expect(globToRegExp('db/latency').test('db/latency.p99')).toBe(false);
    expect(globToRegExp('db?/cpu').test('db1/cpu')).toBe(true);
    expect(globToRegExp('a.b/(x)').test('a.b/(x)')).toBe(true);
    expect(globToRegExp('a.b/(x)').test('aXb/(x)')).toBe(false);
  });

  it('fills placeholders in every text field and describes the result', () => {
    const p = { service: 'payments', series: 'payments/latency', incident: 'inc-4' };
    const scale = fillPlaceholders(
      {
        type: 'scale',
        target: { kind: 'StatefulSet', namespace: 'ns-{service}', name: '{service}' },
        min: 1,
        max: 3,
        step: 2,
      },
      p,
    );
    expect(describeAction(scale)).toBe('scale StatefulSet ns-payments/payments by +2 within [1, 3]');
    const exec = fillPlaceholders(
      { type: 'exec', command: '/bin/echo', args: ['{incident}', '{series}'] },
      p,
    );
    expect(describeAction(exec)).toBe('exec /bin/echo inc-4 payments/latency');
    const hook = fillPlaceholders(
      { type: 'webhook', url: 'https://x/{incident}', headers: { 'x-svc': '{service}' } },
      p,
    );
    expect(hook).toEqual({ type: 'webhook', url: 'https://x/inc-4', headers: { 'x-svc': 'payments' } });
    // Scale and restart of one workload cool down apart.
    const restart = fillPlaceholders({ type: 'restart', target: scale.target }, p);
    expect(targetKey(scale)).not.toBe(targetKey(restart));
  });
});
