// PNG charts for the Node-side reports that have no page (npm run search, the --find-lr curve): a small
// rasterizer and PNG encoder, kept out of the library core (the training report is HTML, drawn by uPlot).
// Line charts rasterized to RGBA without a canvas, so training reports render the same in Node and in a worker.
import type { RgbaImage } from './png.js';
import { drawLine, drawText, fillRect, GLYPH_HEIGHT, textWidth, type Rgb } from './raster.js';

export interface Series {
  name: string;
  /** [x, y] pairs in drawing order; a non-finite y breaks the line (a diverged loss). */
  points: ReadonlyArray<readonly [number, number]>;
  /** Default: the next of SERIES_COLORS. */
  color?: Rgb;
  /** Connect the points (default true). */
  line?: boolean;
  /** Mark each point (default: when the series has at most 40 points, so a 1-epoch curve is still visible). */
  markers?: boolean;
}

export interface ChartSpec {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Axis ranges; default: the data's range widened to round tick values. */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  width?: number;
  height?: number;
}

/** Matplotlib's first four "tab10" colours: distinct, and readable by most colour-blind viewers. */
export const SERIES_COLORS: readonly Rgb[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40]];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [40, 40, 40];
const GRID: Rgb = [225, 225, 225];
const MARKER_LIMIT = 40;
const INSET = 4;

export function lineChart(spec: ChartSpec): RgbaImage {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const img: RgbaImage = { width, height, rgba: new Uint8Array(width * height * 4) };
  fillRect(img, 0, 0, width, height, WHITE);

  const series = spec.series.map((s, i) => ({
    ...s,
    color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length]!,
    points: s.points.filter(([x]) => Number.isFinite(x)),
    markers: s.markers ?? s.points.length <= MARKER_LIMIT,
  }));
  const finite = series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
  const xAxis = niceAxis(spec.xRange ?? extent(finite.map(([x]) => x)), Math.max(2, Math.floor(width / 90)));
  const yAxis = niceAxis(spec.yRange ?? extent(finite.map(([, y]) => y)), Math.max(2, Math.floor(height / 60)));

  // Margins fit the tick labels, the axis labels and the title.
  const left = 14 + Math.max(...yAxis.labels.map((l) => textWidth(l)));
  const top = (spec.title ? 2 * GLYPH_HEIGHT + 12 : 8) + (spec.yLabel ? GLYPH_HEIGHT + 8 : 0);
  const right = 16;
  const bottom = 16 + GLYPH_HEIGHT + (spec.xLabel ? GLYPH_HEIGHT + 10 : 0);
  const plot = { x: left, y: top, w: width - left - right, h: height - top - bottom };
  if (plot.w < 20 || plot.h < 20) throw new RangeError(`lineChart: ${width}×${height} leaves no room for the plot`);
  // Data is inset from the frame so markers at the ends of the range are drawn whole.
  const px = (x: number) => plot.x + INSET + ((x - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (plot.w - 1 - 2 * INSET);
  const py = (y: number) => plot.y + plot.h - 1 - INSET - ((y - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (plot.h - 1 - 2 * INSET);

  xAxis.ticks.forEach((t, i) => {
    const x = Math.round(px(t));
    drawLine(img, x, plot.y, x, plot.y + plot.h - 1, GRID);
    drawLine(img, x, plot.y + plot.h, x, plot.y + plot.h + 3, INK);
    const label = xAxis.labels[i]!;
    drawText(img, x - Math.floor(textWidth(label) / 2), plot.y + plot.h + 6, label, INK);
  });
  yAxis.ticks.forEach((t, i) => {
    const y = Math.round(py(t));
    drawLine(img, plot.x, y, plot.x + plot.w - 1, y, GRID);
    drawLine(img, plot.x - 4, y, plot.x - 1, y, INK);
    const label = yAxis.labels[i]!;
    drawText(img, plot.x - 6 - textWidth(label), y - 3, label, INK);
  });
  drawLine(img, plot.x - 1, plot.y, plot.x - 1, plot.y + plot.h, INK);
  drawLine(img, plot.x - 1, plot.y + plot.h, plot.x + plot.w - 1, plot.y + plot.h, INK);

  if (spec.title) drawText(img, Math.floor((width - textWidth(spec.title, 2)) / 2), 6, spec.title, INK, 2);
  if (spec.yLabel) drawText(img, 4, top - GLYPH_HEIGHT - 6, spec.yLabel, INK);
  if (spec.xLabel) drawText(img, plot.x + Math.floor((plot.w - textWidth(spec.xLabel)) / 2), height - GLYPH_HEIGHT - 4, spec.xLabel, INK);

  let drawn = 0;
  for (const s of series) {
    let prev: readonly [number, number] | null = null;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) {
        prev = null;
        continue;
      }
      // Clamp to the plot so points outside a caller's fixed range pin to its edge instead of drawing over the axes.
      const cur = [clamp(px(x), plot.x, plot.x + plot.w - 1), clamp(py(y), plot.y, plot.y + plot.h - 1)] as const;
      if (prev && s.line !== false) drawLine(img, prev[0], prev[1], cur[0], cur[1], s.color, 2);
      if (s.markers) fillRect(img, cur[0] - 2, cur[1] - 2, 5, 5, s.color);
      drawn++;
      prev = cur;
    }
  }
  if (drawn === 0) drawText(img, plot.x + Math.floor((plot.w - textWidth('no data')) / 2), plot.y + Math.floor(plot.h / 2), 'no data', INK);
  drawLegend(img, series, plot);
  return img;
}

interface Box { x: number; y: number; w: number; h: number }

/** The legend goes in the top-right or bottom-right corner of the plot, whichever hides fewer drawn pixels. */
function drawLegend(img: RgbaImage, series: ReadonlyArray<Series & { color: Rgb; markers: boolean }>, plot: Box): void {
  if (series.length === 0) return;
  const row = GLYPH_HEIGHT + 6;
  const w = 8 + 20 + 6 + Math.max(...series.map((s) => textWidth(s.name))) + 8;
  const h = 6 + series.length * row;
  const x = plot.x + plot.w - w - 6;
  const topY = plot.y + 6;
  const bottomY = plot.y + plot.h - h - 6;
  const y = inked(img, { x, y: bottomY, w, h }) < inked(img, { x, y: topY, w, h }) ? bottomY : topY;
  fillRect(img, x, y, w, h, WHITE);
  drawLine(img, x, y, x + w - 1, y, GRID);
  drawLine(img, x, y + h - 1, x + w - 1, y + h - 1, GRID);
  drawLine(img, x, y, x, y + h - 1, GRID);
  drawLine(img, x + w - 1, y, x + w - 1, y + h - 1, GRID);
  series.forEach((s, i) => {
    const cy = y + 6 + i * row + 3;
    if (s.line !== false) drawLine(img, x + 8, cy, x + 27, cy, s.color, 2);
    if (s.markers) fillRect(img, x + 16, cy - 2, 5, 5, s.color);
    drawText(img, x + 34, cy - 3, s.name, INK);
  });
}

/** Pixels in the box that are neither background nor grid, i.e. data. */
function inked(img: RgbaImage, box: Box): number {
  let n = 0;
  for (let y = Math.max(0, box.y); y < Math.min(img.height, box.y + box.h); y++) {
    for (let x = Math.max(0, box.x); x < Math.min(img.width, box.x + box.w); x++) {
      const i = (y * img.width + x) * 4;
      const [r, g, b] = [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
      if (!(r === g && g === b && (r === WHITE[0] || r === GRID[0]))) n++;
    }
  }
  return n;
}

interface Axis { lo: number; hi: number; ticks: number[]; labels: string[] }

/** Widens [lo, hi] to multiples of a 1-2-5 step giving about `target` intervals, with labels printed to that step's precision. */
export function niceAxis([lo, hi]: readonly [number, number], target: number): Axis {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(k * step);
  return { lo: first * step, hi: last * step, ticks, labels: ticks.map((t) => (Math.abs(t) < step / 2 ? 0 : t).toFixed(decimals)) };
}

function extent(values: number[]): [number, number] {
  // A loop, not Math.min(...values): a long run has more per-batch points than a call may take arguments.
  if (values.length === 0) return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
