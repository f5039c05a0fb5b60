const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function unitFor(ms: number): [number, string] {
  if (ms < 2 * HOUR) return [MINUTE, 'minutes'];
  if (ms < 2 * DAY) return [HOUR, 'hours'];
  return [DAY, 'days'];
}

/**
 * A duration and its interval in one unit chosen from the central value: "3.2 days (2.8–3.9)". A missing upper
 * limit reads "more than …" of the horizon.
 *
 * @example
 * formatEta(3.2 * 86_400_000, [2.8 * 86_400_000, 3.9 * 86_400_000]); // '3.2 days (2.8–3.9)'
 */
export function formatEta(ms: number, interval: readonly [number | null, number | null]): string {
  const [scale, unit] = unitFor(ms);
  const f = (v: number) => (v / scale).toFixed(1);
  const lo = interval[0] === null ? '?' : f(interval[0]);
  const hi = interval[1] === null ? 'beyond horizon' : f(interval[1]);
  return `${f(ms)} ${unit} (${lo}–${hi})`;
}

/** A duration in minutes, hours or days with one decimal, e.g. "30.0 days". */
export function formatDuration(ms: number): string {
  const [scale, unit] = unitFor(ms);
  return `${(ms / scale).toFixed(1)} ${unit}`;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/**
 * A quantity with its unit; values in bytes (`unit` 'B') get SI prefixes, all 3 significant digits
 * ("1.97 MB").
 *
 * @example
 * formatQuantity(1_968_000, 'B'); // '1.97 MB'
 */
export function formatQuantity(value: number, unit = ''): string {
  if (unit === 'B') {
    let scaled = value;
    let p = 0;
    while (Math.abs(scaled) >= 1000 && p < SI.length - 1) {
      scaled /= 1000;
      p++;
    }
    return `${scaled.toPrecision(3)} ${SI[p]}B`;
  }
  const text = Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
  return unit ? `${text} ${unit}` : text;
}
