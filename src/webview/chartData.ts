import type { CurvePoint } from '../protocol/webview';

// What the charts draw, as plain data (DOM-free, so it is unit tested in Node).

export interface Series {
  name: string;
  points: CurvePoint[];
}

/** uPlot's input: one shared x array (steps), one y array per series with null where a series has no point. */
export interface AlignedSeries {
  xs: number[];
  ys: (number | null)[][];
}

export function alignSeries(series: readonly Series[]): AlignedSeries {
  const finite = series.map((s) => s.points.filter((p) => Number.isFinite(p.value)));
  const xs = [...new Set(finite.flatMap((ps) => ps.map((p) => p.step)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = finite.map((ps) => {
    const row: (number | null)[] = xs.map(() => null);
    for (const p of ps) row[at.get(p.step)!] = p.value;
    return row;
  });
  return { xs, ys };
}

/** How one series is drawn apart from its colour. */
export interface SeriesStyle {
  /** Canvas line dash ([] = solid). */
  dash: number[];
  width: number;
  pointSize: number;
  /** Hollow markers (filled with the background) instead of solid ones. */
  hollow: boolean;
  /** The legend swatch's CSS border style, echoing the dash. */
  legendBorder: 'solid' | 'dashed' | 'dotted' | 'double';
}

// Two series with identical values draw the same path: colour alone would let
// the last one hide the others, so each also gets its own dash and marker.
const DASHES: number[][] = [[], [8, 5], [2, 4], [12, 4, 2, 4], [4, 4], [1, 3, 6, 3]];
const LEGEND_BORDERS = ['solid', 'dashed', 'dotted', 'double', 'dashed', 'dotted'] as const;

export function seriesStyle(index: number): SeriesStyle {
  return {
    dash: DASHES[index % DASHES.length],
    width: index === 0 ? 2.5 : 2,
    pointSize: 9 - (index % 3) * 2,
    hollow: index % 2 === 1,
    legendBorder: LEGEND_BORDERS[index % LEGEND_BORDERS.length],
  };
}

/** True when every value is a 0..1 score, so the axis is shown as 0-100% and runs compare by eye. */
export function isUnitRange(aligned: AlignedSeries): boolean {
  return aligned.ys.every((row) => row.every((v) => v === null || (v >= 0 && v <= 1)));
}
