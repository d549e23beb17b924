import type { RefTensor } from './ref-tensor.js';

type Size2 = number | readonly [number, number];

/** Pooling parameters as the ops take them (the reference does no validation: the ops do). */
export interface RefPool2dOptions {
  kernelSize: Size2;
  stride?: Size2;
  padding?: Size2;
  /** Average pooling only: divide by k_h·k_w (true, PyTorch's default) or by the in-image count. */
  countIncludePad?: boolean;
}

interface Geometry {
  planes: number; h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
}

function geometry(xShape: readonly number[], o: RefPool2dOptions): Geometry {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const pair = (v: Size2) => (typeof v === 'number' ? [v, v] : v);
  const [kh, kw] = pair(o.kernelSize);
  const [sh, sw] = pair(o.stride ?? o.kernelSize);
  const [ph, pw] = pair(o.padding ?? 0);
  return { planes: n * c, h, w, kh, kw, sh, sw, ph, pw, oh: Math.floor((h + 2 * ph - kh) / sh) + 1, ow: Math.floor((w + 2 * pw - kw) / sw) + 1 };
}

/** Calls f(plane, oh, ow, in-image window [h0, h1) × [w0, w1)) for every output element, in output order. */
function forEachWindow(g: Geometry, f: (o: number, plane: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  let o = 0;
  for (let plane = 0; plane < g.planes; plane++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, o++) {
        const hs = oh * g.sh - g.ph, ws = ow * g.sw - g.pw;
        f(o, plane, Math.max(hs, 0), Math.min(hs + g.kh, g.h), Math.max(ws, 0), Math.min(ws + g.kw, g.w));
      }
    }
  }
}

/**
 * Max pooling with implicit −∞ padding. `indices` holds the argmax as a flat index into the input plane
 * (ih·W + iw), like PyTorch's return_indices; ties keep the first element in row-major order and a NaN wins.
 */
export function refMaxPool2d(x: RefTensor, opts: RefPool2dOptions): { y: RefTensor; indices: RefTensor } {
  const g = geometry(x.shape, opts);
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  const y = new Float64Array(g.planes * g.oh * g.ow), indices = new Float64Array(y.length);
  forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
    let best = -Infinity, arg = h0 * g.w + w0;
    for (let ih = h0; ih < h1; ih++) {
      for (let iw = w0; iw < w1; iw++) {
        const v = x.data[plane * g.h * g.w + ih * g.w + iw]!;
        if (v > best || Number.isNaN(v)) {
          best = v;
          arg = ih * g.w + iw;
        }
      }
    }
    y[o] = best;
    indices[o] = arg;
  });
  return { y: { shape, data: y }, indices: { shape, data: indices } };
}

/**
 * Scatters each dy to its window's argmax (the direct form; the GPU gathers instead). `gate` (x's shape):
 * the result times (gate > 0), a ReLU's backward fused in as the op does.
 */
export function refMaxPool2dBackward(dy: RefTensor, indices: RefTensor, xShape: readonly number[], gate?: RefTensor): RefTensor {
  const [, , h, w] = xShape as [number, number, number, number];
  const dx = new Float64Array(xShape.reduce((a, d) => a * d, 1));
  const perPlane = dy.shape[2]! * dy.shape[3]!;
  for (let o = 0; o < dy.data.length; o++) dx[Math.floor(o / perPlane) * h * w + indices.data[o]!]! += dy.data[o]!;
  if (gate) dx.forEach((_, i) => (dx[i] = gate.data[i]! > 0 ? dx[i]! : 0));
  return { shape: [...xShape], data: dx };
}

function divisor(g: Geometry, countIncludePad: boolean, h0: number, h1: number, w0: number, w1: number): number {
  // With floor-mode output sizes a window never reaches past the padding, so k_h·k_w is PyTorch's pool_size.
  return countIncludePad ? g.kh * g.kw : (h1 - h0) * (w1 - w0);
}

export function refAvgPool2d(x: RefTensor, opts: RefPool2dOptions): RefTensor {
  const g = geometry(x.shape, opts);
  const include = opts.countIncludePad ?? true;
  const y = new Float64Array(g.planes * g.oh * g.ow);
  forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
    let s = 0;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x.data[plane * g.h * g.w + ih * g.w + iw]!;
    y[o] = s / divisor(g, include, h0, h1, w0, w1);
  });
  return { shape: [x.shape[0]!, x.shape[1]!, g.oh, g.ow], data: y };
}

export function refAvgPool2dBackward(dy: RefTensor, xShape: readonly number[], opts: RefPool2dOptions): RefTensor {
  const g = geometry(xShape, opts);
  const include = opts.countIncludePad ?? true;
  const dx = new Float64Array(g.planes * g.h * g.w);
  forEachWindow(g, (o, plane, h0, h1, w0, w1) => {
    const share = dy.data[o]! / divisor(g, include, h0, h1, w0, w1);
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[plane * g.h * g.w + ih * g.w + iw]! += share;
  });
  return { shape: [...xShape], data: dx };
}

/** Mean over H and W: [N, C, 1, 1], or [N, C] without keepDims. */
export function refGlobalAvgPool2d(x: RefTensor, keepDims = true): RefTensor {
  const y = refAvgPool2d(x, { kernelSize: [x.shape[2]!, x.shape[3]!] });
  return keepDims ? y : { shape: y.shape.slice(0, 2), data: y.data };
}

export function refGlobalAvgPool2dBackward(dy: RefTensor, xShape: readonly number[]): RefTensor {
  return refAvgPool2dBackward({ shape: [xShape[0]!, xShape[1]!, 1, 1], data: dy.data }, xShape, { kernelSize: [xShape[2]!, xShape[3]!] });
}
