/**
 * An SVG flame graph (Gregg 2016, "The Flame Graph", CACM 59(6)) from folded stacks: x is the share of
 * samples, y the stack depth (root at the bottom), frames merged by name along each path, siblings sorted
 * alphabetically as flamegraph.pl does. Colours are a warm palette from a hash of the name, so the same
 * function has the same colour in every graph. Each frame has a tooltip with its samples and share.
 */
import { parseFolded } from './folded.js';

/** Options of {@link flameGraphSvg}. */
export interface FlameGraphOptions {
  /** Width in pixels; default 1200. */
  width?: number;
  /** Height of one frame in pixels; default 16. */
  frameHeight?: number;
  /** Title above the graph; default 'CPU flame graph'. */
  title?: string;
  /** Frames narrower than this many pixels are not drawn; default 0.1. */
  minWidth?: number;
}

interface Node {
  name: string;
  count: number;
  children: Map<string, Node>;
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

/** FNV-1a of the name → a hue between red and yellow, as flamegraph.pl's "hot" palette. */
function colour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const v = (h >>> 0) / 0xffffffff;
  const r = 205 + Math.round(50 * v);
  const g = Math.round((230 * ((h >>> 8) & 0xff)) / 255);
  const b = Math.round((55 * ((h >>> 16) & 0xff)) / 255);
  return `rgb(${r},${g},${b})`;
}

/**
 * Renders folded stacks (see `foldedStacks`) as a standalone SVG document.
 *
 * @example
 * writeFileSync('cpu.svg', flameGraphSvg(foldedStacks(profile), { title: 'checkout, 30 s at 19 Hz' }));
 */
export function flameGraphSvg(folded: string, options: FlameGraphOptions = {}): string {
  const width = options.width ?? 1200;
  const frameHeight = options.frameHeight ?? 16;
  const minWidth = options.minWidth ?? 0.1;
  const root: Node = { name: 'all', count: 0, children: new Map() };
  let depth = 0;
  for (const { frames, count } of parseFolded(folded)) {
    root.count += count;
    let node = root;
    for (const name of frames) {
      let child = node.children.get(name);
      if (!child) {
        child = { name, count: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.count += count;
      node = child;
    }
    depth = Math.max(depth, frames.length);
  }
  const top = 40;
  const height = top + (depth + 1) * frameHeight + 10;
  const scale = root.count > 0 ? (width - 20) / root.count : 0;
  const rects: string[] = [];
  const draw = (node: Node, x: number, level: number): void => {
    const w = node.count * scale;
    if (w < minWidth) return;
    const y = height - 10 - (level + 1) * frameHeight;
    const share = root.count > 0 ? (100 * node.count) / root.count : 0;
    const label = escapeXml(node.name);
    const chars = Math.floor((w - 6) / 7);
    const text =
      chars >= 3 ? (node.name.length <= chars ? label : `${escapeXml(node.name.slice(0, chars - 2))}..`) : '';
    rects.push(
      `<g><title>${label} (${node.count} samples, ${share.toFixed(2)}%)</title>` +
        `<rect x="${(10 + x).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${frameHeight - 1}" fill="${level === 0 ? 'rgb(240,240,240)' : colour(node.name)}" rx="2"/>` +
        (text ? `<text x="${(13 + x).toFixed(1)}" y="${y + frameHeight - 5}">${text}</text>` : '') +
        '</g>',
    );
    let cx = x;
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      draw(child, cx, level + 1);
      cx += child.count * scale;
    }
  };
  draw(root, 0, 0);
  const title = escapeXml(options.title ?? 'CPU flame graph');
  return (
    `<?xml version="1.0" standalone="no"?>\n` +
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" font-family="Verdana, sans-serif" font-size="12">\n` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="rgb(250,250,245)"/>\n` +
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="17">${title}</text>\n` +
    `${rects.join('\n')}\n</svg>\n`
  );
}
