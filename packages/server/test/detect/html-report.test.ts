// The HTML report draws each series' band from what its detector said: two edges, or one edge and the plot's edge
// for a one-sided detector (`direction: 'up'`: no lower edge, -Infinity).
import { describe, expect, it } from 'vitest';
import { htmlReport, type ReportSeries } from '../../src/detect/html-report.js';

function series(lower: number[], upper: number[]): ReportSeries {
  const n = lower.length;
  return {
    name: 'memory',
    timestamps: Array.from({ length: n }, (_, i) => i * 1000),
    values: Array.from({ length: n }, (_, i) => 100 + (i % 3)),
    lower,
    upper,
    scores: new Array(n).fill(0),
    threshold: 0.999,
    events: [],
    trainEnd: 0,
  };
}

/** The band's path, as its points' y coordinates (the upper edge left to right, then the lower one back). */
function bandYs(html: string): number[] {
  const d = html.match(/<path d="([^"]+)" class="band"\/>/)?.[1];
  expect(d, 'a band path').toBeDefined();
  return [...d!.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => Number(m[2]));
}

describe('htmlReport band', () => {
  it('draws a two-sided band between its edges', () => {
    const ys = bandYs(htmlReport('t', [series([95, 95, 95], [110, 110, 110])]));
    expect(ys).toHaveLength(6);
    expect(new Set(ys.slice(0, 3)).size).toBe(1);
    expect(ys[3]).toBeGreaterThan(ys[0]); // SVG y grows downwards: the lower edge is below the upper one
  });

  it("draws a one-sided band down to the plot's bottom edge instead of dropping it", () => {
    const oneSided = bandYs(htmlReport('t', [series([-Infinity, -Infinity, -Infinity], [110, 110, 110])]));
    const twoSided = bandYs(htmlReport('t', [series([95, 95, 95], [110, 110, 110])]));
    expect(oneSided).toHaveLength(6);
    expect(oneSided.every(Number.isFinite)).toBe(true);
    // The plot's range is that of the finite values and edges; -Infinity is drawn at its bottom.
    expect(Math.max(...oneSided.slice(3))).toBeCloseTo(Math.max(...twoSided.slice(3)), 0);
  });

  it('leaves out points whose band is unknown (NaN) and draws no band with fewer than two', () => {
    const html = htmlReport('t', [series([Number.NaN, 95, Number.NaN], [Number.NaN, 110, Number.NaN])]);
    expect(html).not.toContain('class="band"');
  });
});
