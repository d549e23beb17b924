// Canvas 2D drawing of the classification playground: the decision-boundary heatmap (class probabilities over the
// grid, mixed from the class colours and paler where the network is unsure), the points, and hidden-unit thumbnails.
import type { Points } from './datasets.js';

/** Class 0 red and class 1 blue, as in the lecture's figure; then green, orange, purple. */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [[215, 48, 39], [44, 123, 182], [26, 152, 80], [253, 141, 60], [123, 50, 148]];
export const css = ([r, g, b]: readonly [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

/** The plane the map shows: [−1.5, 1.5]². */
export const EXTENT = 1.5;

export function toPixel(size: number, x: number, y: number): [number, number] {
  return [((x + EXTENT) / (2 * EXTENT)) * size, ((EXTENT - y) / (2 * EXTENT)) * size];
}

export function toWorld(size: number, px: number, py: number): [number, number] {
  return [(px / size) * 2 * EXTENT - EXTENT, EXTENT - (py / size) * 2 * EXTENT];
}

const scratch = typeof document !== 'undefined' ? document.createElement('canvas') : null;

/** Paints side × side cells, upscaled smoothly onto the whole canvas. */
function paintGrid(ctx: CanvasRenderingContext2D, side: number, rgb: (cell: number) => [number, number, number]): void {
  const img = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) img.data.set([...rgb(i), 255], 4 * i);
  scratch!.width = scratch!.height = side;
  scratch!.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch!, 0, 0, ctx.canvas.width, ctx.canvas.height);
}

export function drawBoundary(ctx: CanvasRenderingContext2D, side: number, probs: Float32Array | null, classes: number): void {
  if (!probs) {
    ctx.fillStyle = '#f4f4f2';
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    return;
  }
  paintGrid(ctx, side, (i) => {
    let r = 0, g = 0, b = 0, top = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c]!;
      const col = CLASS_COLOURS[c]!;
      r += p * col[0]; g += p * col[1]; b += p * col[2];
      top = Math.max(top, p);
    }
    // Certain cells keep 45 % of their class colour, a coin toss fades to white.
    const confidence = classes > 1 ? (top - 1 / classes) / (1 - 1 / classes) : 1;
    const keep = 0.45 * confidence + 0.08;
    return [255 + (r - 255) * keep, 255 + (g - 255) * keep, 255 + (b - 255) * keep];
  });
}

/** Train points filled with a white ring, test points with a dark ring. */
export function drawPoints(ctx: CanvasRenderingContext2D, train: Points, test: Points): void {
  const size = ctx.canvas.width;
  const dot = (pts: Points, ring: string) => {
    for (let i = 0; i < pts.labels.length; i++) {
      const [px, py] = toPixel(size, pts.xy[2 * i]!, pts.xy[2 * i + 1]!);
      ctx.beginPath();
      ctx.arc(px, py, 4, 0, 2 * Math.PI);
      ctx.fillStyle = css(CLASS_COLOURS[pts.labels[i]!]!);
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = ring;
      ctx.stroke();
    }
  };
  dot(train, '#fff');
  dot(test, '#1d1f23');
}

/** One hidden unit over the grid: orange where it is positive, blue where negative, scaled by its largest |value|. */
export function drawUnit(ctx: CanvasRenderingContext2D, side: number, values: Float32Array, unit: number, width: number): void {
  let top = 1e-12;
  for (let i = 0; i < side * side; i++) top = Math.max(top, Math.abs(values[i * width + unit]!));
  paintGrid(ctx, side, (i) => {
    const v = values[i * width + unit]! / top;
    return v >= 0 ? [255 - 20 * v, 255 - 120 * v, 255 - 230 * v] : [255 + 200 * v, 255 + 110 * v, 255 + 40 * v];
  });
}
