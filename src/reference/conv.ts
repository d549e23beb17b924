import { convEpilogue, planConv2d, planConv2dBackward, type Conv2dGeometryOptions, type ConvEpilogue, type ConvGeometry } from '../ops/conv.js';
import { activationRef } from './matmul.js';
import { refZeros, type RefTensor } from './ref-tensor.js';

export interface Conv2dRefOptions extends Conv2dGeometryOptions, ConvEpilogue {
  bias?: RefTensor;
}

const asOperand = (t: RefTensor) => ({ shape: t.shape, dtype: 'f32' as const });

/** The op's validation and geometry (so the reference throws the same errors). */
function refPlan(op: string, x: RefTensor, w: RefTensor, opts: Conv2dRefOptions): ConvGeometry {
  return planConv2d(op, asOperand(x), asOperand(w), { ...opts, bias: opts.bias && asOperand(opts.bias) });
}

/**
 * Calls `tap(xi, wi, yi)` for every product x[xi]·w[wi] that enters output y[yi] (flat indices), by the
 * definition of the convolution: y[n, co, oy, ox] = Σ_{ci in co's group, i, j} x[n, ci, oy·sh − ph + i·dh,
 * ox·sw − pw + j·dw]·w[co, ci mod C_in/G, i, j], skipping the taps that fall in the zero padding.
 */
function forEachTap(g: ConvGeometry, tap: (xi: number, wi: number, yi: number) => void): void {
  const cig = g.channels / g.groups, cog = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / cog);
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) {
          const yi = ((n * g.outChannels + co) * g.outHeight + oy) * g.outWidth + ox;
          for (let c = 0; c < cig; c++) {
            const ci = group * cig + c;
            for (let i = 0; i < g.kh; i++) {
              const y = oy * g.stride[0] - g.padding[0] + i * g.dilation[0];
              if (y < 0 || y >= g.height) continue;
              for (let j = 0; j < g.kw; j++) {
                const x = ox * g.stride[1] - g.padding[1] + j * g.dilation[1];
                if (x < 0 || x >= g.width) continue;
                tap(((n * g.channels + ci) * g.height + y) * g.width + x, ((co * cig + c) * g.kh + i) * g.kw + j, yi);
              }
            }
          }
        }
      }
    }
  }
}

function outShapeOf(g: ConvGeometry): number[] {
  return [g.batch, g.outChannels, g.outHeight, g.outWidth];
}

/** Σ term(x, w) + biasTerm(bias) per output, before the activation. */
function forward(x: RefTensor, w: RefTensor, opts: Conv2dRefOptions, g: ConvGeometry, term: (a: number, b: number) => number, biasTerm: (b: number) => number): RefTensor {
  const out = refZeros(outShapeOf(g));
  forEachTap(g, (xi, wi, yi) => {
    out.data[yi]! += term(x.data[xi]!, w.data[wi]!);
  });
  const hw = g.outHeight * g.outWidth;
  if (opts.bias) out.data.forEach((v, yi) => (out.data[yi] = v + biasTerm(opts.bias!.data[Math.floor(yi / hw) % g.outChannels]!)));
  return out;
}

/** conv2d in float64 (PyTorch's conv2d with bias, then the activation), same options and errors as the op. */
export function conv2dRef(x: RefTensor, w: RefTensor, opts: Conv2dRefOptions = {}): RefTensor {
  const g = refPlan('conv2d', x, w, opts);
  const { activation, param } = convEpilogue('conv2d', opts);
  const y = forward(x, w, opts, g, (a, b) => a * b, (b) => b);
  return { shape: y.shape, data: y.data.map((v) => activationRef(v, activation, param)) };
}

/** Σ|x·w| + |bias| per output (before the activation): the scale of the f32 rounding error (see matmulErrorScale). */
export function conv2dErrorScale(x: RefTensor, w: RefTensor, opts: Conv2dRefOptions = {}): RefTensor {
  return forward(x, w, opts, refPlan('conv2d', x, w, opts), (a, b) => Math.abs(a * b), Math.abs);
}

export interface Conv2dRefGrads {
  dx: RefTensor;
  dw: RefTensor;
  db: RefTensor;
}

function backward(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Conv2dGeometryOptions, term: (a: number, b: number) => number): Conv2dRefGrads {
  const g = planConv2dBackward(asOperand(dy), asOperand(x), asOperand(w), opts);
  const dx = refZeros(x.shape), dw = refZeros(w.shape), db = refZeros([g.outChannels]);
  forEachTap(g, (xi, wi, yi) => {
    dx.data[xi]! += term(w.data[wi]!, dy.data[yi]!);
    dw.data[wi]! += term(x.data[xi]!, dy.data[yi]!);
  });
  const hw = g.outHeight * g.outWidth;
  dy.data.forEach((v, yi) => (db.data[Math.floor(yi / hw) % g.outChannels]! += term(v, 1)));
  return { dx, dw, db };
}

/** Gradients of conv2d without activation (dy: gradient of the convolution plus bias), by the chain rule on each tap. */
export function conv2dBackwardRef(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Conv2dGeometryOptions = {}): Conv2dRefGrads {
  return backward(dy, x, w, opts, (a, b) => a * b);
}

/** Σ|terms| of each gradient element: the scale of its f32 rounding error. */
export function conv2dBackwardErrorScale(dy: RefTensor, x: RefTensor, w: RefTensor, opts: Conv2dGeometryOptions = {}): Conv2dRefGrads {
  return backward(dy, x, w, opts, (a, b) => Math.abs(a * b));
}
