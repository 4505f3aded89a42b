import uPlot from 'uplot';
import { formatScore } from '../protocol/scoreFormat';
import { alignSeries, isUnitRange, seriesStyle, type AlignedSeries, type Series } from './chartData';
import { h } from './dom';
import { fmtNum } from './format';

export type { Series } from './chartData';

export interface ChartOptions {
  /** Step marked with a vertical rule. */
  selectedStep?: number;
  /** Called with the step under the cursor when the chart is clicked. */
  onPick?: (step: number) => void;
  /** Values are scores: axis and hover values read as percents (one format everywhere). */
  score?: boolean;
  /** Name of the x axis (default "step"). */
  xLabel?: string;
  /** Shown instead of a plot when there is nothing to draw. */
  empty?: string;
}

const HEIGHT = 200;
/** Tick labels are drawn at this CSS px size: canvas text is not scaled, so it is what the eye gets. */
export const TICK_FONT_PX = 12;
/** Room right of the plot so the last x tick label is drawn whole. */
const RIGHT_PAD = 28;

/** Plots alive in the page; one is destroyed once its figure left the DOM (uPlot holds window listeners). */
const live = new Set<uPlot>();

/** A line chart (uPlot on a canvas: no inline script or style, so it runs under the panel's CSP). */
export function lineChart(title: string, series: readonly Series[], opts: ChartOptions = {}): HTMLElement {
  sweepDetached();
  const box = h('figure', { cls: 'chart' }, h('figcaption', {}, title));
  const data = alignSeries(series);
  if (data.xs.length === 0) {
    box.appendChild(h('div', { cls: 'muted' }, opts.empty ?? 'no data yet'));
    return box;
  }
  const plot = h('div', { cls: 'chart-plot', attrs: { role: 'img', 'aria-label': title } });
  box.appendChild(plot);
  if (canDraw()) mountWhenSized(plot, () => plotOptions(series, data, opts), data);
  else plot.appendChild(h('div', { cls: 'muted' }, `${series.map((s) => s.name).join(', ')}: ${data.xs.length} points (drawn in a browser)`));
  return box;
}

function canDraw(): boolean {
  return typeof ResizeObserver === 'function' && typeof HTMLCanvasElement === 'function' && typeof matchMedia === 'function';
}

function sweepDetached(): void {
  for (const u of live) {
    if (!u.root.isConnected) {
      u.destroy();
      live.delete(u);
    }
  }
}

/** uPlot needs a width: build it once the figure is laid out, and follow later resizes. */
function mountWhenSized(el: HTMLElement, options: () => uPlot.Options, data: AlignedSeries): void {
  let u: uPlot | undefined;
  const ro = new ResizeObserver(() => {
    if (!el.isConnected) return ro.disconnect();
    const width = Math.floor(el.clientWidth);
    if (width <= 0) return;
    if (!u) {
      u = new uPlot({ ...options(), width }, [data.xs, ...data.ys], el);
      live.add(u);
    } else if (u.width !== width) u.setSize({ width, height: HEIGHT });
  });
  ro.observe(el);
}

function plotOptions(series: readonly Series[], data: AlignedSeries, opts: ChartOptions): uPlot.Options {
  const theme = themeColors();
  const score = opts.score ?? false;
  const unit = score && isUnitRange(data);
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : score ? formatScore(v) : fmtNum(v, Math.abs(v) < 0.01 && v !== 0 ? 5 : 3));
  const font = `${TICK_FONT_PX}px ${theme.font}`;
  // No tick marks: the grid lines say where values are, and the label band holds text only.
  const axis = { stroke: theme.muted, font, labelFont: font, grid: { stroke: theme.grid, width: 1 }, ticks: { show: false } };
  return {
    width: 0,
    height: HEIGHT,
    padding: [12, RIGHT_PAD, 0, 0],
    cursor: { drag: { x: false, y: false }, points: { size: 9 } },
    // Live legend: the values under the cursor (hover), each swatch drawn like its line.
    legend: { live: true, markers: { dash: (_u, i) => (i === 0 ? 'solid' : seriesStyle(i - 1).legendBorder), fill: (_u, i) => (i === 0 || seriesStyle(i - 1).hollow ? theme.bg : theme.series[(i - 1) % theme.series.length]) } },
    scales: {
      x: { time: false, range: (_u, lo, hi) => (lo === hi ? [lo - 1, hi + 1] : [lo, hi]) },
      // Scores keep the 0-100% frame so runs compare by eye; other metrics use uPlot's padded auto range.
      y: unit ? { range: [0, 1] } : {},
    },
    axes: [
      { ...axis, label: opts.xLabel ?? 'step', size: TICK_FONT_PX + 14, labelSize: TICK_FONT_PX + 6, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], values: (_u, ticks) => ticks.map((t) => fmtNum(t, 0)) },
      score ? { ...axis, size: 60, values: (_u, ticks) => ticks.map((t) => formatScore(t)) } : { ...axis, size: 60 },
    ],
    series: [
      { label: opts.xLabel ?? 'step', value: (_u, v) => (v === null || v === undefined ? '–' : fmtNum(v, 0)) },
      ...series.map((s, i) => {
        const st = seriesStyle(i);
        const color = theme.series[i % theme.series.length];
        return { label: s.name, stroke: color, width: st.width, dash: st.dash, spanGaps: true, value: (_u: uPlot, v: number | null) => fmt(v), points: { show: true, size: st.pointSize, stroke: color, fill: st.hollow ? theme.bg : color, width: 2 } };
      }),
    ],
    hooks: {
      draw: opts.selectedStep === undefined ? [] : [(u) => drawCursorRule(u, opts.selectedStep!, theme.accent)],
      ready: opts.onPick ? [(u) => attachPick(u, data.xs, opts.onPick!)] : [],
    },
  };
}

function drawCursorRule(u: uPlot, step: number, color: string): void {
  const x = u.valToPos(step, 'x', true);
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

function attachPick(u: uPlot, xs: number[], onPick: (step: number) => void): void {
  u.over.classList.add('pickable');
  u.over.addEventListener('click', () => {
    const i = u.cursor.idx;
    if (i !== null && i !== undefined && xs[i] !== undefined) onPick(xs[i]);
  });
}

interface Theme {
  series: string[];
  bg: string;
  muted: string;
  grid: string;
  accent: string;
  font: string;
}

/** Canvas needs concrete colours: read the panel's CSS variables (VS Code theme or the report's fallbacks). */
function themeColors(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const palette = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#4ec9b0', '#ce9178'];
  return {
    series: palette.map((c, i) => v(`--s${i}`, c)),
    bg: v('--bg', '#1e1e1e'),
    muted: v('--muted', '#9d9d9d'),
    grid: v('--border', '#3c3c3c'),
    accent: v('--accent', '#007fd4'),
    font: css.fontFamily || 'sans-serif',
  };
}
