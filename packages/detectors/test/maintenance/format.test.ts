import { describe, expect, it } from 'vitest';
import { formatDuration, formatEta, formatQuantity } from '../../src/maintenance/format.js';

const HOUR = 3_600_000;

describe('format', () => {
  it('writes an ETA and its interval in one unit chosen from the ETA', () => {
    expect(formatEta(3.2 * 24 * HOUR, [2.8 * 24 * HOUR, 3.9 * 24 * HOUR])).toBe('3.2 days (2.8–3.9)');
    expect(formatEta(5 * HOUR, [4 * HOUR, null])).toBe('5.0 hours (4.0–beyond horizon)');
    expect(formatEta(30 * 60_000, [null, 45 * 60_000])).toBe('30.0 minutes (?–45.0)');
  });
  it('picks minutes, hours or days', () => {
    expect(formatDuration(90 * 60_000)).toBe('90.0 minutes');
    expect(formatDuration(47 * HOUR)).toBe('47.0 hours');
    expect(formatDuration(30 * 24 * HOUR)).toBe('30.0 days');
  });
  it('gives bytes SI prefixes and other units three significant digits', () => {
    expect(formatQuantity(2_000_000, 'B')).toBe('2.00 MB');
    expect(formatQuantity(1_968_000, 'B')).toBe('1.97 MB');
    expect(formatQuantity(512e9, 'B')).toBe('512 GB');
    expect(formatQuantity(999, 'B')).toBe('999 B');
    expect(formatQuantity(0.123456, 'cores')).toBe('0.123 cores');
    expect(formatQuantity(12345.6)).toBe('12346');
  });
});
