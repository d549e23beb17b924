// Training-step, conv2d and batch-norm workloads: the specs (same numbers for both libraries), layout
// conversions between wgsl-nn's NCHW/OIHW and TF.js's NHWC/HWIO, and float64 CPU references for the checks.
import { randomArray } from './data.js';
import type { BatchNormSpec, ConvSpec, ParamSpec, TrainSpec } from './types.js';

const scaled = (a: Float32Array, s: number, shift = 0) => {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * s + shift;
  return a;
};

function labels(n: number, classes: number, seed: number): Int32Array {
  const r = randomArray(n, seed);
  return Int32Array.from(r, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
}

/** Parameters like PyTorch's default init: U(−1/√fanIn, 1/√fanIn) for weights and biases; BN γ≈1, β≈0. */
function paramSpecs(layers: Omit<ParamSpec, 'data'>[], fanIns: number[], seed: number): ParamSpec[] {
  return layers.map((l, i) => {
    const size = l.shape.reduce((a, b) => a * b, 1);
    const r = randomArray(size, seed + i);
    const data = fanIns[i]! > 0 ? scaled(r, 1 / Math.sqrt(fanIns[i]!)) : fanIns[i] === -1 ? scaled(r, 0.1, 1) : scaled(r, 0.1);
    return { ...l, data };
  });
}

/** Model ids: mlp (784-512-512-10), lenet5 (src/nn/models.ts lenet5(), 28×28×1), vgg (smallVgg, 32×32×3). */
export function trainSpec(model: TrainSpec['model'], batch: number): TrainSpec {
  const layers: Omit<ParamSpec, 'data'>[] = [];
  const fanIns: number[] = [];
  const conv = (o: number, i: number, k: number, bias = true) => {
    layers.push({ kind: 'conv', name: 'weight', shape: [o, i, k, k] });
    fanIns.push(i * k * k);
    if (bias) {
      layers.push({ kind: 'vec', name: 'bias', shape: [o] });
      fanIns.push(i * k * k);
    }
  };
  const fc = (o: number, i: number, flattenFrom?: [number, number, number]) => {
    layers.push({ kind: 'fc', name: 'weight', shape: [o, i], ...(flattenFrom ? { flattenFrom } : {}) });
    layers.push({ kind: 'vec', name: 'bias', shape: [o] });
    fanIns.push(i, i);
  };
  let sampleShape: [number, number, number];
  if (model === 'mlp') {
    sampleShape = [1, 28, 28];
    fc(512, 784); fc(512, 512); fc(10, 512);
  } else if (model === 'lenet5') {
    sampleShape = [1, 28, 28];
    conv(6, 1, 5); conv(16, 6, 5);
    fc(120, 400, [16, 5, 5]); fc(84, 120); fc(10, 84);
  } else {
    sampleShape = [3, 32, 32];
    let c = 3;
    for (const v of VGG_CONFIG) {
      if (v === 'M') continue;
      conv(v, c, 3, false);
      layers.push({ kind: 'vec', name: 'weight', shape: [v] }, { kind: 'vec', name: 'bias', shape: [v] });
      fanIns.push(-1, 0); // γ ≈ 1, β ≈ 0
      c = v;
    }
    fc(10, 256 * 4 * 4, [256, 4, 4]);
  }
  const sample = sampleShape.reduce((a, b) => a * b, 1);
  const seed = 5000 + batch * 17 + model.length * 1000;
  return {
    model, batch, sampleShape, classes: 10, lr: 0.01, momentum: 0.9,
    params: paramSpecs(layers, fanIns, seed),
    xs: [randomArray(batch * sample, seed + 100), randomArray(batch * sample, seed + 101)],
    ys: [labels(batch, 10, seed + 102), labels(batch, 10, seed + 103)],
  };
}

export const VGG_CONFIG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 'M'];

// ---- layouts ----

/** [N, C, H, W] → [N, H, W, C] */
export function nchwToNhwc(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  const hw = h * w;
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) {
    const src = (i * c + ch) * hw;
    for (let p = 0; p < hw; p++) out[(i * hw + p) * c + ch] = a[src + p]!;
  }
  return out;
}

/** [N, H, W, C] → [N, C, H, W] */
export function nhwcToNchw(a: ArrayLike<number>, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(n * c * h * w);
  const hw = h * w;
  for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) {
    const dst = (i * c + ch) * hw;
    for (let p = 0; p < hw; p++) out[dst + p] = a[(i * hw + p) * c + ch]!;
  }
  return out;
}

/** [O, I, kH, kW] → [kH, kW, I, O] */
export function oihwToHwio(a: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let oo = 0; oo < o; oo++) for (let ii = 0; ii < i; ii++) for (let u = 0; u < kh; u++) for (let v = 0; v < kw; v++) {
    out[((u * kw + v) * i + ii) * o + oo] = a[((oo * i + ii) * kh + u) * kw + v]!;
  }
  return out;
}

/** [kH, kW, I, O] → [O, I, kH, kW] */
export function hwioToOihw(a: ArrayLike<number>, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(o * i * kh * kw);
  for (let oo = 0; oo < o; oo++) for (let ii = 0; ii < i; ii++) for (let u = 0; u < kh; u++) for (let v = 0; v < kw; v++) {
    out[((oo * i + ii) * kh + u) * kw + v] = a[((u * kw + v) * i + ii) * o + oo]!;
  }
  return out;
}

/**
 * A wgsl-nn Linear weight [out, in] as TF.js's dense kernel [in, out]; when the layer reads a flattened
 * [C, H, W] map, TF.js's input is flattened from [H, W, C], so the rows are permuted to match.
 */
export function fcToTf(p: ParamSpec): Float32Array {
  const [o, inF] = p.shape as [number, number];
  const out = new Float32Array(o * inF);
  const f = p.flattenFrom;
  for (let r = 0; r < inF; r++) {
    let src = r;
    if (f) {
      const [c, h, w] = f;
      const ch = r % c, pix = Math.floor(r / c); // TF row (hh·W + ww)·C + ch
      src = ch * h * w + pix;
    }
    for (let j = 0; j < o; j++) out[r * o + j] = p.data[j * inF + src]!;
  }
  return out;
}

// ---- conv2d ----

export interface ConvLayer {
  id: string;
  title: string;
  n: number;
  cin: number;
  cout: number;
  size: number;
  k: number;
  pad: number;
}

export const CONV_LAYERS: Record<string, ConvLayer> = {
  'lenet-conv1': { id: 'lenet-conv1', title: 'LeNet conv1 1→6 5×5 p2 28²', n: 64, cin: 1, cout: 6, size: 28, k: 5, pad: 2 },
  'lenet-conv2': { id: 'lenet-conv2', title: 'LeNet conv2 6→16 5×5 14²', n: 64, cin: 6, cout: 16, size: 14, k: 5, pad: 0 },
  'vgg-conv1': { id: 'vgg-conv1', title: 'VGG 3→64 3×3 p1 32²', n: 64, cin: 3, cout: 64, size: 32, k: 3, pad: 1 },
  'vgg-conv2': { id: 'vgg-conv2', title: 'VGG 64→64 3×3 p1 32²', n: 64, cin: 64, cout: 64, size: 32, k: 3, pad: 1 },
  'vgg-conv3': { id: 'vgg-conv3', title: 'VGG 64→128 3×3 p1 16²', n: 64, cin: 64, cout: 128, size: 16, k: 3, pad: 1 },
  'vgg-conv4': { id: 'vgg-conv4', title: 'VGG 128→256 3×3 p1 8²', n: 64, cin: 128, cout: 256, size: 8, k: 3, pad: 1 },
};

export function convSpec(l: ConvLayer, seed: number): ConvSpec {
  const out = l.size + 2 * l.pad - l.k + 1;
  const fan = l.cin * l.k * l.k;
  return {
    n: l.n, cin: l.cin, cout: l.cout, h: l.size, w: l.size, k: l.k, pad: l.pad, outH: out, outW: out,
    x: randomArray(l.n * l.cin * l.size * l.size, seed),
    weight: scaled(randomArray(l.cout * fan, seed + 1), 1 / Math.sqrt(fan)),
    bias: scaled(randomArray(l.cout, seed + 2), 0.1),
    dy: randomArray(l.n * l.cout * out * out, seed + 3),
  };
}

/** Forward + backward FLOPs: y, dx and dw are each 2·N·C_out·H_out·W_out·C_in·k² (bias and db not counted). */
export const convFlops = (s: ConvSpec) => 3 * 2 * s.n * s.cout * s.outH * s.outW * s.cin * s.k * s.k;

/** Sizes of the parts of a conv result [y | dx | dw | db]. */
export const convParts = (s: ConvSpec) => [s.n * s.cout * s.outH * s.outW, s.n * s.cin * s.h * s.w, s.cout * s.cin * s.k * s.k, s.cout];

/** Max over y, dx, dw, db of (max |error| / max |reference|) on sampled entries (db: all), float64. */
export function convCheck(s: ConvSpec, out: Float32Array, samples = 48): number {
  const [ny, nx, nw, nb] = convParts(s);
  if (out.length !== ny + nx + nw + nb) return Infinity;
  const { n, cin: C, cout: O, h: H, w: W, k: K, pad: P, outH: OH, outW: OW, x, weight: wt, bias, dy } = s;
  const X = (b: number, c: number, i: number, j: number) => (i < 0 || j < 0 || i >= H || j >= W ? 0 : x[((b * C + c) * H + i) * W + j]!);
  const DY = (b: number, o: number, i: number, j: number) => (i < 0 || j < 0 || i >= OH || j >= OW ? 0 : dy[((b * O + o) * OH + i) * OW + j]!);
  const errs: number[] = [];
  const part = (count: number, offset: number, ref: (idx: number) => number, every = false) => {
    let maxErr = 0, maxRef = 0;
    const m = every ? count : Math.min(samples, count);
    for (let s2 = 0; s2 < m; s2++) {
      const idx = every ? s2 : (s2 * 7919 + 13 * s2 * s2 + 5) % count;
      const r = ref(idx);
      maxErr = Math.max(maxErr, Math.abs(out[offset + idx]! - r));
      maxRef = Math.max(maxRef, Math.abs(r));
    }
    errs.push(maxRef ? maxErr / maxRef : maxErr);
  };
  part(ny, 0, (idx) => {
    const j = idx % OW, i = Math.floor(idx / OW) % OH, o = Math.floor(idx / (OW * OH)) % O, b = Math.floor(idx / (OW * OH * O));
    let acc = bias[o]!;
    for (let c = 0; c < C; c++) for (let u = 0; u < K; u++) for (let v = 0; v < K; v++) acc += X(b, c, i + u - P, j + v - P) * wt[((o * C + c) * K + u) * K + v]!;
    return acc;
  });
  part(nx, ny, (idx) => {
    const j = idx % W, i = Math.floor(idx / W) % H, c = Math.floor(idx / (W * H)) % C, b = Math.floor(idx / (W * H * C));
    let acc = 0;
    for (let o = 0; o < O; o++) for (let u = 0; u < K; u++) for (let v = 0; v < K; v++) acc += DY(b, o, i - u + P, j - v + P) * wt[((o * C + c) * K + u) * K + v]!;
    return acc;
  });
  part(nw, ny + nx, (idx) => {
    const v = idx % K, u = Math.floor(idx / K) % K, c = Math.floor(idx / (K * K)) % C, o = Math.floor(idx / (K * K * C));
    let acc = 0;
    for (let b = 0; b < n; b++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) acc += DY(b, o, i, j) * X(b, c, i + u - P, j + v - P);
    return acc;
  });
  part(nb, ny + nx + nw, (o) => {
    let acc = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < OH * OW; p++) acc += dy[(b * O + o) * OH * OW + p]!;
    return acc;
  }, true);
  return Math.max(...errs);
}

// ---- batch norm ----

export interface BnShape {
  id: string;
  title: string;
  n: number;
  c: number;
  size: number;
}

export const BN_SHAPES: Record<string, BnShape> = {
  'bn-64x64x32x32': { id: 'bn-64x64x32x32', title: 'BN [64,64,32,32]', n: 64, c: 64, size: 32 },
  'bn-128x256x8x8': { id: 'bn-128x256x8x8', title: 'BN [128,256,8,8]', n: 128, c: 256, size: 8 },
};

export function bnSpec(b: BnShape, seed: number): BatchNormSpec {
  const size = b.n * b.c * b.size * b.size;
  return {
    n: b.n, c: b.c, h: b.size, w: b.size, eps: 1e-5, momentum: 0.1,
    // Not centred at 0, so the mean subtraction matters.
    x: scaled(randomArray(size, seed), 2, 0.5),
    gamma: scaled(randomArray(b.c, seed + 1), 0.25, 1),
    beta: scaled(randomArray(b.c, seed + 2), 0.25),
    dy: randomArray(size, seed + 3),
  };
}

/** Max over y, dx (sampled), dγ, dβ (all) of max |error| / max |reference|, float64. */
export function bnCheck(s: BatchNormSpec, out: Float32Array, samples = 4096): number {
  const { n, c: C, h, w, x, dy, gamma, beta, eps } = s;
  const hw = h * w, size = n * C * hw, cnt = n * hw;
  if (out.length !== 2 * size + 2 * C) return Infinity;
  const mean = new Float64Array(C), invstd = new Float64Array(C), sdy = new Float64Array(C), sdyx = new Float64Array(C);
  for (let ch = 0; ch < C; ch++) {
    let s1 = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) s1 += x[(b * C + ch) * hw + p]!;
    const m = s1 / cnt;
    let s2 = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) s2 += (x[(b * C + ch) * hw + p]! - m) ** 2;
    mean[ch] = m;
    invstd[ch] = 1 / Math.sqrt(s2 / cnt + eps);
    let a = 0, bb = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) {
      const i = (b * C + ch) * hw + p;
      a += dy[i]!;
      bb += dy[i]! * (x[i]! - m) * invstd[ch]!;
    }
    sdy[ch] = a;
    sdyx[ch] = bb;
  }
  const errs: number[] = [];
  const part = (count: number, offset: number, ref: (idx: number) => number, every: boolean) => {
    let maxErr = 0, maxRef = 0;
    const m = every ? count : Math.min(samples, count);
    for (let k = 0; k < m; k++) {
      const idx = every ? k : (k * 104729 + 7) % count;
      const r = ref(idx);
      maxErr = Math.max(maxErr, Math.abs(out[offset + idx]! - r));
      maxRef = Math.max(maxRef, Math.abs(r));
    }
    errs.push(maxRef ? maxErr / maxRef : maxErr);
  };
  const chOf = (i: number) => Math.floor(i / hw) % C;
  part(size, 0, (i) => { const ch = chOf(i); return gamma[ch]! * (x[i]! - mean[ch]!) * invstd[ch]! + beta[ch]!; }, false);
  part(size, size, (i) => {
    const ch = chOf(i), xhat = (x[i]! - mean[ch]!) * invstd[ch]!;
    return (gamma[ch]! * invstd[ch]! / cnt) * (cnt * dy[i]! - sdy[ch]! - xhat * sdyx[ch]!);
  }, false);
  part(C, 2 * size, (ch) => sdyx[ch]!, true);
  part(C, 2 * size + C, (ch) => sdy[ch]!, true);
  return Math.max(...errs);
}

/** Concatenates the parts of a result (for the checks). */
export function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p as ArrayLike<number>, o);
    o += p.length;
  }
  return out;
}
