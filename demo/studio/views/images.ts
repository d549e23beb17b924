// Image views drawn with Canvas 2D: the first layer's filters as a grid, the validation confusion matrix, and the
// test gallery with top-3 predictions (misclassified first).
import type { FilterView, GalleryItem } from '../protocol.js';

/** The unscaled grid of each filter canvas, kept between redraws. */
const filterSources = new WeakMap<HTMLCanvasElement, OffscreenCanvas>();

/** Each filter scaled on its own to [0, 255] (grey), channels side by side, in a grid: one ImageData, scaled up by drawImage. */
export function drawFilters(canvas: HTMLCanvasElement, f: FilterView): void {
  const tileW = f.width * f.channels + 1, tileH = f.height + 1;
  const cols = Math.max(1, Math.ceil(Math.sqrt(f.count * (f.channels > 1 ? 0.5 : 1.5))));
  const rows = Math.ceil(f.count / cols);
  const img = new ImageData(cols * tileW + 1, rows * tileH + 1);
  // One 32-bit write per pixel (little-endian RGBA: 0xAABBGGRR), white gaps between tiles.
  const px = new Uint32Array(img.data.buffer).fill(0xffffffff);
  const per = f.channels * f.height * f.width;
  for (let k = 0; k < f.count; k++) {
    const w = f.data.subarray(k * per, (k + 1) * per);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < w.length; i++) { const v = w[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    const toGrey = 255 / (hi - lo || 1);
    const ox = (k % cols) * tileW + 1, oy = Math.floor(k / cols) * tileH + 1;
    for (let c = 0; c < f.channels; c++) {
      for (let y = 0; y < f.height; y++) {
        const from = (c * f.height + y) * f.width, to = (oy + y) * img.width + ox + c * f.width;
        for (let x = 0; x < f.width; x++) {
          const g = ((w[from + x]! - lo) * toGrey + 0.5) | 0;
          px[to + x] = 0xff000000 | (g << 16) | (g << 8) | g;
        }
      }
    }
  }
  // Scale so the grid is about 420 px wide, whole pixels per weight. Sizes are set only when they change (setting
  // one, even to the same value, reallocates the canvas).
  const scale = Math.max(1, Math.floor(420 / img.width));
  if (canvas.width !== img.width * scale) canvas.width = img.width * scale;
  if (canvas.height !== img.height * scale) canvas.height = img.height * scale;
  let src = filterSources.get(canvas);
  if (!src || src.width !== img.width || src.height !== img.height) filterSources.set(canvas, (src = new OffscreenCanvas(img.width, img.height)));
  src.getContext('2d')!.putImageData(img, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
}

/** Rows: true class; columns: predicted; cells shaded by the row's fraction, counts written in. */
export function drawConfusion(canvas: HTMLCanvasElement, m: number[][], classes: readonly string[]): void {
  const n = m.length, cell = 30, left = 90, topPad = 74;
  canvas.width = left + n * cell + 2;
  canvas.height = topPad + n * cell + 2;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '10px system-ui';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < n; i++) {
    const total = m[i]!.reduce((a, b) => a + b, 0) || 1;
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.fillText(classes[i] ?? String(i), left - 4, topPad + i * cell + cell / 2);
    for (let j = 0; j < n; j++) {
      const f = m[i]![j]! / total;
      ctx.fillStyle = i === j ? `rgba(31,138,76,${0.1 + 0.9 * f})` : `rgba(192,57,43,${f === 0 ? 0.03 : 0.15 + 0.85 * f})`;
      ctx.fillRect(left + j * cell, topPad + i * cell, cell - 1, cell - 1);
      if (m[i]![j]) {
        ctx.fillStyle = f > 0.5 ? '#fff' : '#222';
        ctx.textAlign = 'center';
        ctx.fillText(String(m[i]![j]), left + j * cell + cell / 2, topPad + i * cell + cell / 2);
      }
    }
  }
  ctx.save();
  ctx.fillStyle = '#333';
  ctx.textAlign = 'left';
  for (let j = 0; j < n; j++) {
    ctx.save();
    ctx.translate(left + j * cell + cell / 2, topPad - 4);
    ctx.rotate(-Math.PI / 3);
    ctx.fillText(classes[j] ?? String(j), 0, 0);
    ctx.restore();
  }
  ctx.restore();
}

/** One gallery card, built once and updated in place: its image is redrawn only when another test image lands in it. */
interface Card { fig: HTMLElement; ctx: CanvasRenderingContext2D; image: ImageData; index: number; title: HTMLElement; lines: HTMLElement[] }
const galleries = new WeakMap<HTMLElement, Card[]>();

function card(): Card {
  const fig = document.createElement('figure');
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  const ctx = c.getContext('2d')!;
  const cap = document.createElement('figcaption');
  const title = document.createElement('b');
  const lines = [0, 1, 2].map(() => document.createElement('div'));
  cap.append(title, ...lines);
  fig.append(c, cap);
  return { fig, ctx, image: ctx.createImageData(28, 28), index: -1, title, lines };
}

const setText = (el: HTMLElement, text: string) => { if (el.textContent !== text) el.textContent = text; };
const setClass = (el: HTMLElement, name: string) => { if (el.className !== name) el.className = name; };

/** Test images with their top-3 predictions. Cards are reused across redraws: only changed text, classes and images are written. */
export function drawGallery(root: HTMLElement, items: GalleryItem[], classes: readonly string[]): void {
  let cards = galleries.get(root) ?? [];
  if (cards.length !== items.length) {
    cards = items.map((_, i) => cards[i] ?? card());
    galleries.set(root, cards);
    root.replaceChildren(...cards.map((c) => c.fig));
  }
  items.forEach((g, i) => {
    const c = cards[i]!;
    setClass(c.fig, g.top[0]!.cls !== g.label ? 'wrong' : 'right');
    if (c.index !== g.index) {
      // Grey bytes into RGBA pixels through a 32-bit view (little-endian: 0xAABBGGRR), one putImageData per image.
      const px = new Uint32Array(c.image.data.buffer);
      for (let k = 0; k < px.length; k++) { const v = g.pixels[k]!; px[k] = 0xff000000 | (v << 16) | (v << 8) | v; }
      c.ctx.putImageData(c.image, 0, 0);
      c.index = g.index;
    }
    setText(c.title, classes[g.label] ?? String(g.label));
    c.lines.forEach((line, j) => {
      const t = g.top[j];
      setText(line, t ? `${classes[t.cls] ?? t.cls} ${(100 * t.p).toFixed(0)}%` : '');
      setClass(line, t && t.cls === g.label ? 'pass' : '');
    });
  });
}
