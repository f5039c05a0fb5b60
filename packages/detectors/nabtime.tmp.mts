import { readdirSync, readFileSync } from 'node:fs';
import { seriesFromCsv, sliceSeries } from '@vigil/core';
import { createDetector } from '@vigil/detectors';

const root = '/work/shared/nab-dev/data';
const files = readdirSync(root)
  .flatMap((c) => readdirSync(`${root}/${c}`).map((f) => `${c}/${f}`))
  .sort();
const [kind, opts, limit] = [
  process.argv[2],
  JSON.parse(process.argv[3] ?? '{}'),
  Number(process.argv[4] ?? Infinity),
];
const t0 = Date.now();
let pts = 0,
  bad = 0,
  flagged = 0;
for (const f of files) {
  const s = seriesFromCsv(readFileSync(`${root}/${f}`, 'utf8'), { duplicates: 'keep' });
  const n = s.values.length;
  const probation = Math.min(Math.floor(0.15 * n), 750);
  const d = createDetector(kind, opts) as any;
  const tf = Date.now();
  await d.fit(sliceSeries(s, 0, probation));
  const end = Math.min(n, probation + limit);
  for (let i = probation; i < end; i++) {
    const r = d.update(s.timestamps[i], s.values[i]);
    pts++;
    if (!(r.score >= 0 && r.score <= 1)) bad++;
    if (r.isAnomaly) flagged++;
  }
  if (process.env.V) console.log(f, Date.now() - tf);
}
console.log(kind, JSON.stringify(opts), 'points', pts, 'bad', bad, 'flagged', flagged, 'ms', Date.now() - t0);
