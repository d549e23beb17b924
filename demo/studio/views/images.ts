// Image views drawn with Canvas 2D: the first layer's filters as a grid, the validation confusion matrix, and the
// test gallery with top-3 predictions (misclassified first).
import type { FilterView, GalleryItem } from '../protocol.js';

/** Each filter scaled on its own to [0, 255] (grey), channels side by side, in a grid: one ImageData, scaled up by drawImage. */
export function drawFilters(canvas: HTMLCanvasElement, f: FilterView): void {
  const tileW = f.width * f.channels + 1, tileH = f.height + 1;
  const cols = Math.max(1, Math.ceil(Math.sqrt(f.count * (f.channels > 1 ? 0.5 : 1.5))));
  const rows = Math.ceil(f.count / cols);
  const img = new ImageData(cols * tileW + 1, rows * tileH + 1);
  img.data.fill(255);
  const per = f.channels * f.height * f.width;
  for (let k = 0; k < f.count; k++) {
    const w = f.data.subarray(k * per, (k + 1) * per);
    let lo = Infinity, hi = -Infinity;
    for (const v of w) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const span = hi - lo || 1;
    const ox = (k % cols) * tileW + 1, oy = Math.floor(k / cols) * tileH + 1;
    for (let c = 0; c < f.channels; c++) {
      for (let y = 0; y < f.height; y++) {
        for (let x = 0; x < f.width; x++) {
          const g = Math.round((255 * (w[(c * f.height + y) * f.width + x]! - lo)) / span);
          const at = ((oy + y) * img.width + ox + c * f.width + x) * 4;
          img.data[at] = img.data[at + 1] = img.data[at + 2] = g;
        }
      }
    }
  }
  // Scale so the grid is about 420 px wide, whole pixels per weight.
  const scale = Math.max(1, Math.floor(420 / img.width));
  canvas.width = img.width * scale;
  canvas.height = img.height * scale;
  const src = new OffscreenCanvas(img.width, img.height);
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

export function drawGallery(root: HTMLElement, items: GalleryItem[], classes: readonly string[]): void {
  const cards = items.map((g) => {
    const card = document.createElement('figure');
    const wrong = g.top[0]!.cls !== g.label;
    card.className = wrong ? 'wrong' : 'right';
    const c = document.createElement('canvas');
    c.width = 28;
    c.height = 28;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(28, 28);
    g.pixels.forEach((v, i) => { img.data.set([v, v, v, 255], i * 4); });
    ctx.putImageData(img, 0, 0);
    const cap = document.createElement('figcaption');
    cap.innerHTML = `<b>${classes[g.label]}</b>` + g.top.map((t) => `<div class="${t.cls === g.label ? 'pass' : ''}">${classes[t.cls]} ${(100 * t.p).toFixed(0)}%</div>`).join('');
    card.append(c, cap);
    return card;
  });
  root.replaceChildren(...cards);
}
