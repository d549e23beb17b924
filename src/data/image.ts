import { getRuntime, type Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import type { Normalization } from './loader.js';

/** RGBA bytes, row by row: ImageData, or an object of the same shape (Node has no ImageData). */
export interface RgbaPixels {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** What the browser gives for a picture: pixels, a canvas, a decoded bitmap or an <img>. */
export type ImageSource = ImageData | RgbaPixels | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | HTMLImageElement;

export interface ImageInputOptions {
  /** Output side(s): a number for square, or [height, width]. Default 28 (Fashion-MNIST). */
  size?: number | readonly [number, number];
  /** 1: grayscale (ITU-R 601 luma, as PIL/torchvision's Grayscale), 3: RGB. Default 1. */
  channels?: 1 | 3;
  /** Transparent pixels are composited over this (0–255 per channel); default 0, black, like Fashion-MNIST's background. */
  background?: number;
  /** 255 − value before normalising: a dark drawing on white becomes a bright one on black (Fashion-MNIST's look). */
  invert?: boolean;
  /** Applied to the 0–255 values; default { scale: 1/255 } (values in [0, 1]). Pass the training set's mean/std. */
  normalize?: Normalization;
}

/** RGBA pixels of a source, drawn through a 2-D canvas when the source is not ImageData already. */
export function imagePixels(source: ImageSource): RgbaPixels {
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) return source;
  if ('data' in source && 'width' in source && 'height' in source) return source;
  const width = 'naturalWidth' in source ? source.naturalWidth : source.width;
  const height = 'naturalHeight' in source ? source.naturalHeight : source.height;
  if (!(width > 0 && height > 0)) throw new ArgumentError('imageToTensor', `the image is empty (${width}×${height}); an <img> must have loaded`);
  if (typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') throw new ArgumentError('imageToTensor', 'reading a canvas, bitmap or <img> needs a browser (pass ImageData elsewhere)');
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new ArgumentError('imageToTensor', 'no 2-D canvas context to read the image with');
  ctx.drawImage(source as CanvasImageSource, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}

/**
 * Resampling weights from `n` input positions to `m` outputs along one axis: area averaging when shrinking
 * (each output is the mean of the input span it covers, PyTorch's interpolate mode 'area'), bilinear with
 * half-pixel centres when enlarging (mode 'bilinear', align_corners=False). Row o: [(input index, weight)…].
 */
export function resampleWeights(n: number, m: number): [number, number][][] {
  const rows: [number, number][][] = [];
  const scale = n / m;
  for (let o = 0; o < m; o++) {
    const row: [number, number][] = [];
    if (m <= n) {
      const lo = o * scale, hi = (o + 1) * scale;
      for (let i = Math.floor(lo); i < Math.ceil(hi); i++) {
        const w = Math.min(hi, i + 1) - Math.max(lo, i);
        if (w > 0) row.push([i, w / scale]);
      }
    } else {
      const c = Math.max((o + 0.5) * scale - 0.5, 0);
      const i0 = Math.min(Math.floor(c), n - 1), f = c - i0;
      // Past the last centre the value is the edge pixel's (PyTorch clamps the same way).
      if (f > 0 && i0 + 1 < n) row.push([i0, 1 - f], [i0 + 1, f]);
      else row.push([i0, 1]);
    }
    rows.push(row);
  }
  return rows;
}

/** The values of one image, [channels, height, width] row-major, before upload (CPU; what imageToTensor uploads). */
export function imageValues(source: ImageSource, options: ImageInputOptions = {}): Float32Array {
  const op = 'imageToTensor';
  const [h, w] = typeof options.size === 'number' ? [options.size, options.size] : options.size ?? [28, 28];
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new ArgumentError(op, `size must be a positive integer or [height, width] of them, got ${String(options.size)}`);
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new ArgumentError(op, `channels must be 1 (grayscale) or 3 (RGB), got ${String(channels)}`);
  const bg = options.background ?? 0;
  if (!(bg >= 0 && bg <= 255)) throw new ArgumentError(op, `background must be in [0, 255], got ${bg}`);
  const norm = options.normalize ?? { scale: 1 / 255 };
  const px = imagePixels(source);
  if (px.data.length !== px.width * px.height * 4) throw new ArgumentError(op, `pixel data holds ${px.data.length} bytes, expected ${px.width}×${px.height}×4 RGBA`);
  // Composite over the background, convert to the output channels, then resample each channel separably.
  const n = px.width * px.height;
  const planes = Array.from({ length: channels }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const a = px.data[4 * i + 3]! / 255;
    const rgb = [0, 1, 2].map((c) => px.data[4 * i + c]! * a + bg * (1 - a));
    if (channels === 1) planes[0]![i] = 0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!;
    else for (let c = 0; c < 3; c++) planes[c]![i] = rgb[c]!;
  }
  const wy = resampleWeights(px.height, h), wx = resampleWeights(px.width, w);
  const out = new Float32Array(channels * h * w);
  const scale = norm.scale ?? 1;
  const pick = (v: number | readonly number[] | undefined, c: number, def: number) => (v === undefined ? def : typeof v === 'number' ? v : v[c] ?? def);
  const rows = new Float64Array(h * px.width);
  planes.forEach((plane, c) => {
    rows.fill(0);
    for (let y = 0; y < h; y++) for (const [iy, f] of wy[y]!) for (let x = 0; x < px.width; x++) rows[y * px.width + x]! += f * plane[iy * px.width + x]!;
    const mean = pick(norm.mean, c, 0), std = pick(norm.std, c, 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (const [ix, f] of wx[x]!) v += f * rows[y * px.width + ix]!;
        if (options.invert) v = 255 - v;
        out[(c * h + y) * w + x] = (v * scale - mean) / std;
      }
    }
  });
  return out;
}

/**
 * A picture as a model input [1, C, H, W]: composited over the background, grayscale (or RGB), resized to
 * `size` (area averaging when shrinking, bilinear when enlarging), optionally inverted, normalised.
 * `imagesToTensor` stacks several into [N, C, H, W].
 */
export function imageToTensor(source: ImageSource, options: ImageInputOptions = {}, rt: Runtime = getRuntime()): Tensor {
  return imagesToTensor([source], options, rt);
}

export function imagesToTensor(sources: readonly ImageSource[], options: ImageInputOptions = {}, rt: Runtime = getRuntime()): Tensor {
  if (sources.length === 0) throw new ArgumentError('imagesToTensor', 'needs at least one image');
  const values = sources.map((s) => imageValues(s, options));
  const [h, w] = typeof options.size === 'number' ? [options.size, options.size] : options.size ?? [28, 28];
  const per = values[0]!.length;
  const all = new Float32Array(per * values.length);
  values.forEach((v, i) => all.set(v, i * per));
  return tensor(all, [values.length, options.channels ?? 1, h, w], 'f32', rt);
}
