/**
 * Float64 reference of the augmentation stages (src/augment/stages.ts), drawing the same Philox words as
 * shaders/augment-*.wgsl: geometry (boxes, offsets, flips) is integer arithmetic on those words, so it is
 * exact; interpolation weights and jitter factors are computed in float64 (the GPU: f32).
 */
import { AUGMENT_TAG, pickBox, probabilityThreshold, resizedCropTable, stageOutputShape, type AugmentStage } from '../augment/stages.js';
import { philox4x32_10 } from './philox.js';
import type { RefTensor } from './ref-tensor.js';

export interface RefAugmentOptions {
  seed: number;
  step: number;
}

/** The four random words of sample n for a stage. */
export function augmentWords(n: number, stage: number, { seed, step }: RefAugmentOptions): [number, number, number, number] {
  return philox4x32_10([n, step, stage, AUGMENT_TAG], [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0]);
}

/** Bilinear sample (align_corners=False) of the box (i, j, bh, bw) of a plane at output (oy, ox) of an oh×ow output. */
function resizedSample(plane: (y: number, x: number) => number, oy: number, ox: number, oh: number, ow: number, i: number, j: number, bh: number, bw: number): number {
  const sy = Math.max(((2 * oy + 1) * bh - oh) / (2 * oh), 0), sx = Math.max(((2 * ox + 1) * bw - ow) / (2 * ow), 0);
  const y0 = Math.floor(sy), x0 = Math.floor(sx), ly = sy - y0, lx = sx - x0;
  const y1 = Math.min(y0 + 1, bh - 1), x1 = Math.min(x0 + 1, bw - 1);
  const top = (1 - lx) * plane(i + y0, j + x0) + lx * plane(i + y0, j + x1);
  const bottom = (1 - lx) * plane(i + y1, j + x0) + lx * plane(i + y1, j + x1);
  return (1 - ly) * top + ly * bottom;
}

/** A fixed view (test-time augmentation): the crop at (i, j) of the image zero-padded by `pad`, mirrored if `flip`. */
export function refView(x: RefTensor, view: { i: number; j: number; pad: number; flip: boolean; outH: number; outW: number }): RefTensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const { i, j, pad, flip, outH, outW } = view;
  const data = new Float64Array(n * c * outH * outW);
  let e = 0;
  for (let s = 0; s < n; s++) for (let ch = 0; ch < c; ch++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    const y = i + oy - pad, xx = j + (flip ? outW - 1 - ox : ox) - pad;
    data[e++] = y >= 0 && y < h && xx >= 0 && xx < w ? x.data[((s * c + ch) * h + y) * w + xx]! : 0;
  }
  return { shape: [n, c, outH, outW], data };
}

/** One stage (index `stage` in its pipeline) on a batch [N, C, H, W]. */
export function refAugmentStage(x: RefTensor, st: AugmentStage, stage: number, opts: RefAugmentOptions): RefTensor {
  const shape = stageOutputShape('refAugment', st, x.shape);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [, , oh, ow] = shape as [number, number, number, number];
  const data = new Float64Array(n * c * oh * ow);
  const table = st.kind === 'resizedCrop' ? resizedCropTable(h, w, st.scale, st.ratio) : null;
  for (let s = 0; s < n; s++) {
    const bits = augmentWords(s, stage, opts);
    const src = (ch: number) => (y: number, xx: number) => x.data[((s * c + ch) * h + y) * w + xx]!;
    const out = (ch: number, oy: number, ox: number, v: number) => (data[((s * c + ch) * oh + oy) * ow + ox] = v);
    if (st.kind === 'brightness' || st.kind === 'contrast') {
      const f = st.range[0] + (st.range[1] - st.range[0]) * ((bits[0] >>> 8) / 16777216);
      let shift = 0;
      if (st.kind === 'contrast') {
        let sum = 0;
        for (let k = 0; k < h * w; k++) {
          if (c === 3) sum += 0.299 * x.data[(s * 3) * h * w + k]! + 0.587 * x.data[(s * 3 + 1) * h * w + k]! + 0.114 * x.data[(s * 3 + 2) * h * w + k]!;
          else for (let ch = 0; ch < c; ch++) sum += x.data[(s * c + ch) * h * w + k]!;
        }
        shift = ((1 - f) * sum) / (c === 3 ? h * w : c * h * w);
      }
      for (let k = 0; k < c * h * w; k++) {
        let v = f * x.data[s * c * h * w + k]! + shift;
        if (st.clamp) v = Math.min(Math.max(v, st.clamp[0]), st.clamp[1]);
        data[s * c * h * w + k] = v;
      }
      continue;
    }
    for (let ch = 0; ch < c; ch++) {
      const plane = src(ch);
      for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        if (st.kind === 'hflip') out(ch, oy, ox, plane(oy, bits[0] < probabilityThreshold(st.p) ? w - 1 - ox : ox));
        else if (st.kind === 'crop') {
          const p = st.padding, i = bits[0] % (h + 2 * p - oh + 1), j = bits[1] % (w + 2 * p - ow + 1);
          const y = i + oy - p, xx = j + ox - p;
          out(ch, oy, ox, y >= 0 && y < h && xx >= 0 && xx < w ? plane(y, xx) : 0);
        } else {
          const k = pickBox(table!, bits[0]), bh = table![3 * k]!, bw = table![3 * k + 1]!;
          const i = bits[1] % (h - bh + 1), j = bits[2] % (w - bw + 1);
          out(ch, oy, ox, resizedSample(plane, oy, ox, oh, ow, i, j, bh, bw));
        }
      }
    }
  }
  return { shape, data };
}

/** The stages in order, stage k drawing counter word 2 = k (as the GPU pipeline does). */
export function refAugment(x: RefTensor, stages: readonly AugmentStage[], opts: RefAugmentOptions): RefTensor {
  return stages.reduce((t, st, k) => refAugmentStage(t, st, k, opts), x);
}
