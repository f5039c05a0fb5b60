/** The HTML report of bench/accuracy: tables and SVG plots of sample series with scores, bands and detections. */
import type { Row } from '../lib/report.js';
import { type CorpusSeries, TRAIN } from './corpus.js';
import type { ScoredSeries } from './metrics.js';

export interface SampleRun {
  readonly score: Float64Array;
  readonly flags: Uint8Array;
  readonly expected?: Float64Array;
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
}

interface ReportInput {
  corpus: readonly CorpusSeries[];
  sampleIds: readonly string[];
  runs: Map<string, { scored: ScoredSeries[]; samples: Map<string, SampleRun> }>;
  rows: Row[];
  perMode: Row[];
  comparisons: Row[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function table(rows: Row[]): string {
  if (rows.length === 0) return '<p>(none)</p>';
  const cols = Object.keys(rows[0]);
  const cell = (v: Row[string]) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : esc(String(v ?? '-'));
  return `<table><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

function path(xs: ArrayLike<number>, x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (Number.isNaN(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

function plot(series: CorpusSeries, runs: ReportInput['runs']): string {
  const W = 960;
  const H = 180;
  const strip = 34;
  const names = [...runs.keys()];
  const n = series.values.length;
  const x = (i: number) => 40 + (i / (n - 1)) * (W - 50);
  const finite = [...series.values].filter((v) => !Number.isNaN(v));
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const bandRun = ['ensemble', 'prophet', 'mad']
    .map((k) => runs.get(k)?.samples.get(series.id))
    .find((r) => r?.upper);
  if (bandRun?.lower && bandRun.upper) {
    for (let i = 0; i < bandRun.lower.length; i++) {
      if (Number.isFinite(bandRun.lower[i])) lo = Math.min(lo, bandRun.lower[i]);
      if (Number.isFinite(bandRun.upper[i])) hi = Math.max(hi, bandRun.upper[i]);
    }
  }
  const pad = (hi - lo) * 0.05 || 1;
  const y = (v: number) => 10 + (1 - (v - lo + pad) / (hi - lo + 2 * pad)) * (H - 20);
  const total = H + names.length * strip + 10;
  const parts: string[] = [];
  parts.push(`<rect x="${x(TRAIN)}" y="0" width="${x(n - 1) - x(TRAIN)}" height="${total}" fill="#f7f7fb"/>`);
  for (const l of series.labels) {
    const color = l.mode === 'missing-gap' ? '#ddd' : '#fde2e2';
    parts.push(
      `<rect x="${x(l.windowStart)}" y="0" width="${Math.max(2, x(l.windowEnd) - x(l.windowStart))}" height="${total}" fill="${color}"><title>${l.mode}</title></rect>`,
    );
    parts.push(`<text x="${x(l.onset) + 2}" y="12" font-size="10" fill="#b00">${l.mode}</text>`);
  }
  if (bandRun?.lower && bandRun.upper) {
    const off = (i: number) => x(i + TRAIN);
    let band = '';
    const up: string[] = [];
    const down: string[] = [];
    for (let i = 0; i < bandRun.upper.length; i++) {
      if (!Number.isFinite(bandRun.upper[i]) || !Number.isFinite(bandRun.lower[i])) continue;
      up.push(`${off(i).toFixed(1)},${y(bandRun.upper[i]).toFixed(1)}`);
      down.unshift(`${off(i).toFixed(1)},${y(bandRun.lower[i]).toFixed(1)}`);
    }
    if (up.length > 1)
      band = `<polygon points="${[...up, ...down].join(' ')}" fill="#cfe3ff" opacity="0.7"/>`;
    parts.push(band);
  }
  parts.push(`<path d="${path(series.values, x, y)}" fill="none" stroke="#333" stroke-width="0.8"/>`);
  if (bandRun?.expected) {
    parts.push(
      `<path d="${path(bandRun.expected, (i) => x(i + TRAIN), y)}" fill="none" stroke="#1f6fd1" stroke-width="0.8"/>`,
    );
  }
  names.forEach((name, k) => {
    const run = runs.get(name)?.samples.get(series.id);
    const top = H + k * strip;
    parts.push(`<text x="2" y="${top + 14}" font-size="9">${esc(name)}</text>`);
    parts.push(
      `<line x1="40" x2="${W - 10}" y1="${top + strip - 4}" y2="${top + strip - 4}" stroke="#ccc"/>`,
    );
    if (!run) return;
    // −log10(1 − score), capped at 6: the calibrated score on a readable scale.
    const ys = Float64Array.from(run.score, (s) => Math.min(6, -Math.log10(Math.max(1 - s, 1e-6))));
    parts.push(
      `<path d="${path(
        ys,
        (i) => x(i + TRAIN),
        (v) => top + strip - 4 - (v / 6) * (strip - 8),
      )}" fill="none" stroke="#777" stroke-width="0.7"/>`,
    );
    for (let i = 0; i < run.flags.length; i++) {
      if (run.flags[i])
        parts.push(`<rect x="${x(i + TRAIN) - 0.8}" y="${top + 2}" width="1.6" height="6" fill="#d00"/>`);
    }
  });
  return `<h3>${esc(series.id)} (${series.metric})</h3><svg width="${W}" height="${total}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">${parts.join('')}</svg>`;
}

export function renderReport(input: ReportInput): string {
  const samples = input.sampleIds
    .map((id) => input.corpus.find((c) => c.id === id))
    .filter((s): s is CorpusSeries => s !== undefined);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Vigil accuracy benchmark</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;font-size:12px;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eee}</style></head><body>
<h1>Vigil accuracy benchmark</h1>
<p>${input.corpus.length} seeded series of 5-minute infrastructure metrics, 3 training days and 4 test days each, with
labelled injected failures. Alarms are runs of flagged points; precision and recall are event-wise; the NAB-style
window score counts every flagged point (0 = no detections, 100 = every window found at its start). In the plots, the
shaded area is the 4 test days; red: label windows (grey: data gaps); blue band: the model's band; per detector: the score as
−log10(1 − score) and red ticks where it flagged.</p>
<h2>Overall</h2>${table(input.rows)}
<h2>Against the static threshold at equal recall</h2>${table(input.comparisons)}
<h2>Per failure mode</h2>${table(input.perMode)}
<h2>Sample series</h2>${samples.map((s) => plot(s, input.runs)).join('\n')}
</body></html>
`;
}
