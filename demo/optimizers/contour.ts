// The optimizer playground's map: filled contour bands of f (evaluated in float64 on a grid, log-scaled where the
// surface needs it) with a darker line where the band changes, then each racer's path and the start point.
import { evaluate, type Expr } from './expression.js';

export type Domain = readonly [number, number, number, number];

export interface MapView {
  domain: Domain;
  width: number;
  height: number;
}

export function toPixel(v: MapView, x: number, y: number): [number, number] {
  const [x0, x1, y0, y1] = v.domain;
  return [((x - x0) / (x1 - x0)) * v.width, ((y1 - y) / (y1 - y0)) * v.height];
}

export function toWorld(v: MapView, px: number, py: number): [number, number] {
  const [x0, x1, y0, y1] = v.domain;
  return [x0 + (px / v.width) * (x1 - x0), y1 - (py / v.height) * (y1 - y0)];
}

const BANDS = 24;

/** The contour image (an ImageData to put under the paths), and the surface's range over the map. */
export function contourImage(expr: Expr, v: MapView, logScale: boolean): { image: ImageData; min: number; max: number } {
  const { width: w, height: h } = v;
  const f = new Float64Array(w * h);
  let min = Infinity, max = -Infinity;
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const [x, y] = toWorld(v, px + 0.5, py + 0.5);
      const value = evaluate(expr, x, y);
      f[py * w + px] = value;
      if (Number.isFinite(value)) { min = Math.min(min, value); max = Math.max(max, value); }
    }
  }
  const scale = (value: number) => (logScale ? Math.log1p(value - min) : value - min);
  const top = scale(max) || 1;
  const band = new Int16Array(w * h);
  for (let i = 0; i < w * h; i++) band[i] = Number.isFinite(f[i]!) ? Math.min(BANDS - 1, Math.floor((scale(f[i]!) / top) * BANDS)) : -1;
  const image = new ImageData(w, h);
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const i = py * w + px, b = band[i]!;
      const edge = (px + 1 < w && band[i + 1] !== b) || (py + 1 < h && band[i + w] !== b);
      const [r, g, bl] = b < 0 ? [200, 200, 200] : colour(b / (BANDS - 1));
      const k = edge ? 0.82 : 1;
      image.data.set([r * k, g * k, bl * k, 255], 4 * i);
    }
  }
  return { image, min, max };
}

/** Light blue (low) to light orange (high): a quiet background for coloured paths. */
function colour(t: number): [number, number, number] {
  const lo = [222, 235, 247], mid = [245, 245, 240], hi = [253, 208, 162];
  const [a, b, s] = t < 0.5 ? [lo, mid, t * 2] : [mid, hi, (t - 0.5) * 2];
  return [a[0]! + (b[0]! - a[0]!) * s, a[1]! + (b[1]! - a[1]!) * s, a[2]! + (b[2]! - a[2]!) * s];
}

export interface DrawnPath {
  colour: string;
  points: readonly (readonly [number, number])[];
}

/** Draws the contour image, every path (line and current position) and the start handle. */
export function drawMap(ctx: CanvasRenderingContext2D, v: MapView, image: ImageData, paths: readonly DrawnPath[], start: readonly [number, number]): void {
  ctx.putImageData(image, 0, 0);
  ctx.lineWidth = 2;
  for (const p of paths) {
    const pts = p.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) continue;
    ctx.strokeStyle = p.colour;
    ctx.beginPath();
    pts.forEach(([x, y], i) => {
      const [px, py] = toPixel(v, x, y);
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(Math.max(-1e4, Math.min(1e4, px)), Math.max(-1e4, Math.min(1e4, py)));
    });
    ctx.stroke();
    const [lx, ly] = toPixel(v, ...pts[pts.length - 1]!);
    ctx.fillStyle = p.colour;
    ctx.beginPath();
    ctx.arc(lx, ly, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#1d1f23';
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.lineWidth = 2;
  }
  const [sx, sy] = toPixel(v, ...start);
  ctx.fillStyle = '#fff';
  ctx.strokeStyle = '#1d1f23';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(sx, sy, 7, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}
