// Image views drawn with Canvas 2D: the first layer's filters as a grid, the validation confusion matrix, and the
// test gallery with top-3 predictions (misclassified first).
import type { FilterView, GalleryItem } from '../protocol.js';

/** The filter grid the worker drew (filter-grid.ts), scaled up to about 420 px wide with whole pixels per weight. */
export function drawFilters(canvas: HTMLCanvasElement, f: FilterView): void {
  const { image } = f;
  const scale = Math.max(1, Math.floor(420 / image.width));
  // Sizes are set only when they change (setting one, even to the same value, reallocates the canvas).
  if (canvas.width !== image.width * scale) canvas.width = image.width * scale;
  if (canvas.height !== image.height * scale) canvas.height = image.height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  image.close();
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

/**
 * One gallery card, built once and updated in place: its image is redrawn only when other pixels land in it (compared
 * by content, not by test-image index: a new run on other data reuses the cards with the same indices).
 */
interface Card { fig: HTMLElement; ctx: CanvasRenderingContext2D; image: ImageData; pixels: Uint8Array; title: HTMLElement; lines: HTMLElement[] }
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
  return { fig, ctx, image: ctx.createImageData(28, 28), pixels: new Uint8Array(0), title, lines };
}

function samePixels(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
    if (!samePixels(c.pixels, g.pixels)) {
      // Grey bytes into RGBA pixels through a 32-bit view (little-endian: 0xAABBGGRR), one putImageData per image.
      const px = new Uint32Array(c.image.data.buffer);
      for (let k = 0; k < px.length; k++) { const v = g.pixels[k]!; px[k] = 0xff000000 | (v << 16) | (v << 8) | v; }
      c.ctx.putImageData(c.image, 0, 0);
      c.pixels = g.pixels.slice();
    }
    setText(c.title, classes[g.label] ?? String(g.label));
    c.lines.forEach((line, j) => {
      const t = g.top[j];
      setText(line, t ? `${classes[t.cls] ?? t.cls} ${(100 * t.p).toFixed(0)}%` : '');
      setClass(line, t && t.cls === g.label ? 'pass' : '');
    });
  });
}
