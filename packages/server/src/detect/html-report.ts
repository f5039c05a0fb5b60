import type { AnomalyEvent } from '@vigil/core';

/** One series of a report: what was observed, what the model expected, and the scores. */
export interface ReportSeries {
  readonly name: string;
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly expected?: ArrayLike<number>;
  readonly lower?: ArrayLike<number>;
  readonly upper?: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  readonly threshold: number;
  readonly events: readonly AnomalyEvent[];
  /** Index of the first scored (not training) point. */
  readonly trainEnd: number;
}

const W = 960;
const H = 220;
const HS = 90;
const PAD = 40;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function extent(...arrays: Array<ArrayLike<number> | undefined>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const a of arrays) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** An SVG path through the finite points, broken at gaps. */
function path(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  x: (t: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < ts.length; i++) {
    if (!Number.isFinite(vs[i])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(ts[i]).toFixed(1)},${y(vs[i]).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/**
 * The band between `lo` and `hi` as a closed SVG path over the points where both edges are known; an edge at ±∞ (a
 * one-sided detector judges only one side) is drawn at the plot's edge, `[bottom, top]`.
 */
function band(
  ts: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  x: (t: number) => number,
  y: (v: number) => number,
  [bottom, top]: [number, number],
): string {
  const edge = (v: number) =>
    v === Number.NEGATIVE_INFINITY ? bottom : v === Number.POSITIVE_INFINITY ? top : v;
  const idx = Array.from({ length: ts.length }, (_, i) => i).filter(
    (i) => !Number.isNaN(lo[i]) && !Number.isNaN(hi[i]),
  );
  if (idx.length < 2) return '';
  const upperEdge = idx
    .map((i, k) => `${k ? 'L' : 'M'}${x(ts[i]).toFixed(1)},${y(edge(hi[i])).toFixed(1)}`)
    .join('');
  const lowerEdge = idx
    .slice()
    .reverse()
    .map((i) => `L${x(ts[i]).toFixed(1)},${y(edge(lo[i])).toFixed(1)}`)
    .join('');
  return `${upperEdge}${lowerEdge}Z`;
}

function seriesSection(s: ReportSeries): string {
  const t0 = s.timestamps[0];
  const t1 = s.timestamps[s.timestamps.length - 1];
  const x = (t: number) => PAD + ((t - t0) / (t1 - t0 || 1)) * (W - 2 * PAD);
  const [lo, hi] = extent(s.values, s.lower, s.upper);
  const y = (v: number) => H - PAD / 2 - ((v - lo) / (hi - lo)) * (H - PAD);
  const ys = (v: number) => HS - 10 - v * (HS - 20);
  const shade = s.events
    .map(
      (e) =>
        `<rect x="${x(e.start).toFixed(1)}" y="0" width="${Math.max(2, x(e.end) - x(e.start)).toFixed(1)}" height="${H}" class="ev"><title>${esc(`${new Date(e.start).toISOString()} – ${new Date(e.end).toISOString()}, peak ${e.peakScore.toFixed(4)}`)}</title></rect>`,
    )
    .join('');
  const trainX = x(s.timestamps[Math.min(s.trainEnd, s.timestamps.length - 1)]);
  const bandPath = s.lower && s.upper ? band(s.timestamps, s.lower, s.upper, x, y, [lo, hi]) : '';
  return `<section><h2>${esc(s.name)}</h2>
<p>${s.events.length} event${s.events.length === 1 ? '' : 's'}; fitted on the points left of the dashed line.</p>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(s.name)}: values, expected band and events">
${shade}<line x1="${trainX}" x2="${trainX}" y1="0" y2="${H}" class="train"/>
${bandPath ? `<path d="${bandPath}" class="band"/>` : ''}
${s.expected ? `<path d="${path(s.timestamps, s.expected, x, y)}" class="exp"/>` : ''}
<path d="${path(s.timestamps, s.values, x, y)}" class="val"/>
<text x="4" y="12">${esc(hi.toPrecision(4))}</text><text x="4" y="${H - 4}">${esc(lo.toPrecision(4))}</text>
</svg>
<svg viewBox="0 0 ${W} ${HS}" role="img" aria-label="anomaly score">
${shade.replaceAll(`height="${H}"`, `height="${HS}"`)}
<line x1="${PAD}" x2="${W - PAD}" y1="${ys(s.threshold)}" y2="${ys(s.threshold)}" class="thr"/>
<path d="${path(s.timestamps, s.scores, x, ys)}" class="score"/>
<text x="4" y="12">score</text><text x="${W - PAD + 4}" y="${ys(s.threshold) + 4}">${s.threshold}</text>
</svg>
${
  s.events.length
    ? `<table><tr><th>start</th><th>end</th><th>points</th><th>peak score</th><th>observed</th><th>expected</th><th>severity</th></tr>${s.events
        .map(
          (e) =>
            `<tr><td>${new Date(e.start).toISOString()}</td><td>${new Date(e.end).toISOString()}</td><td>${e.points}</td><td>${e.peakScore.toFixed(4)}</td><td>${Number.isFinite(e.observed) ? e.observed.toPrecision(5) : ''}</td><td>${Number.isFinite(e.expected) ? e.expected.toPrecision(5) : ''}</td><td>${esc(e.severity)}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
</section>`;
}

/**
 * A self-contained HTML report (inline SVG, no scripts, nothing fetched): per series the values with the model's
 * expected band, the anomaly score against the threshold, and the events shaded and listed.
 *
 * @example
 * writeFileSync('report.html', htmlReport('data.csv', series));
 */
export function htmlReport(
  title: string,
  series: readonly ReportSeries[],
  notes: readonly string[] = [],
): string {
  const total = series.reduce((n, s) => n + s.events.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil report: ${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}svg{width:100%;height:auto;display:block;background:#fafafa;margin:.3em 0}
.val{fill:none;stroke:#1f5fa8;stroke-width:1.2}.exp{fill:none;stroke:#888;stroke-width:1;stroke-dasharray:3 2}
.band{fill:#1f5fa8;opacity:.12}.score{fill:none;stroke:#b5462f;stroke-width:1}.thr{stroke:#b5462f;stroke-dasharray:4 3}
.ev{fill:#e8a33a;opacity:.3}.train{stroke:#555;stroke-dasharray:2 4}text{font-size:11px;fill:#555}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
</style></head><body>
<h1>Vigil report: ${esc(title)}</h1>
<p>${series.length} series, ${total} event${total === 1 ? '' : 's'}.${notes.map((n) => ` ${esc(n)}`).join('')}</p>
${series.map(seriesSection).join('\n')}
</body></html>
`;
}
