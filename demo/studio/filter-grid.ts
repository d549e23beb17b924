// The first layer's filters as one grey image, made in the worker (the main thread only draws it): each filter scaled
// on its own to [0, 255], channels side by side, in a grid with white gaps.
import type { FilterWeights } from './protocol.js';

/** The grid as RGBA pixels: about 1.5 times as wide as tall for one channel (C channels make each tile C wide). */
export function filterGrid(f: FilterWeights): ImageData {
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
  return img;
}
