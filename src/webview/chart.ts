import type { CurvePoint } from '../protocol/webview';
import { h, svg } from './dom';
import { fmtNum } from './format';

export interface Series {
  name: string;
  points: CurvePoint[];
}

export interface ChartOptions {
  /** Step marked with a vertical rule. */
  selectedStep?: number;
  /** Called with the nearest step when the chart is clicked. */
  onPick?: (step: number) => void;
}

const W = 600;
const H = 170;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };
/** Beyond this many points markers add clutter and DOM nodes but no information. */
const MAX_MARKERS = 200;

/** A line chart as inline SVG (no library; CSP allows no external resources). */
export function lineChart(title: string, series: readonly Series[], opts: ChartOptions = {}): HTMLElement {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.value));
  const box = h('figure', { cls: 'chart' }, h('figcaption', {}, title));
  if (all.length === 0) {
    box.appendChild(h('div', { cls: 'muted' }, 'no data yet'));
    return box;
  }
  const sx = scale(all.map((p) => p.step), PAD.left, W - PAD.right, false);
  const sy = scale(all.map((p) => p.value), H - PAD.bottom, PAD.top, true);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img' });
  root.appendChild(svg('title')).textContent = title;
  drawAxes(root, sx, sy);
  series.forEach((s, i) => drawSeries(root, s, i, sx, sy));
  if (opts.selectedStep !== undefined) {
    const x = sx.map(opts.selectedStep);
    root.appendChild(svg('line', { x1: x, x2: x, y1: PAD.top, y2: H - PAD.bottom, class: 'chart-cursor' }));
  }
  if (opts.onPick) attachPick(root, all, sx, opts.onPick);
  box.appendChild(root);
  if (series.length > 1) box.appendChild(legend(series));
  return box;
}

interface Scale {
  lo: number;
  hi: number;
  map(v: number): number;
}

function scale(values: number[], from: number, to: number, pad: boolean): Scale {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  // Rewards and scores usually live in [0, 1]: keep that frame so runs compare by eye.
  if (pad && lo >= 0 && hi <= 1) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  return { lo, hi, map: (v) => from + ((v - lo) / (hi - lo)) * (to - from) };
}

function drawAxes(root: SVGSVGElement, sx: Scale, sy: Scale): void {
  root.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'chart-axis' }));
  root.appendChild(svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: H - PAD.bottom, class: 'chart-axis' }));
  for (const v of [sy.lo, (sy.lo + sy.hi) / 2, sy.hi]) {
    const t = svg('text', { x: PAD.left - 4, y: sy.map(v) + 4, 'text-anchor': 'end', class: 'chart-label' });
    t.textContent = fmtNum(v, 2);
    root.appendChild(t);
  }
  for (const v of [sx.lo, sx.hi]) {
    const t = svg('text', { x: sx.map(v), y: H - 6, 'text-anchor': 'middle', class: 'chart-label' });
    t.textContent = `step ${fmtNum(v, 0)}`;
    root.appendChild(t);
  }
}

function drawSeries(root: SVGSVGElement, s: Series, i: number, sx: Scale, sy: Scale): void {
  const pts = s.points.filter((p) => Number.isFinite(p.value));
  const cls = `series-${i % 8}`;
  const line = svg('polyline', { points: pts.map((p) => `${sx.map(p.step).toFixed(1)},${sy.map(p.value).toFixed(1)}`).join(' '), class: `chart-line ${cls}` });
  root.appendChild(line);
  if (pts.length > MAX_MARKERS) return;
  for (const p of pts) {
    const c = svg('circle', { cx: sx.map(p.step).toFixed(1), cy: sy.map(p.value).toFixed(1), r: 2.5, class: `chart-dot ${cls}` });
    c.appendChild(svg('title')).textContent = `${s.name} · step ${p.step}: ${fmtNum(p.value)}`;
    root.appendChild(c);
  }
}

function attachPick(root: SVGSVGElement, all: CurvePoint[], sx: Scale, onPick: (step: number) => void): void {
  const steps = [...new Set(all.map((p) => p.step))];
  root.classList.add('pickable');
  root.addEventListener('click', (ev) => {
    const rect = root.getBoundingClientRect();
    if (rect.width === 0) return;
    const x = ((ev.clientX - rect.left) / rect.width) * W;
    let best = steps[0];
    for (const s of steps) if (Math.abs(sx.map(s) - x) < Math.abs(sx.map(best) - x)) best = s;
    onPick(best);
  });
}

function legend(series: readonly Series[]): HTMLElement {
  return h('div', { cls: 'legend' }, ...series.map((s, i) => h('span', { cls: `legend-item series-${i % 8}` }, h('span', { cls: 'swatch' }), s.name)));
}
