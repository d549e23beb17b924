import { defineKernel } from '../src/kernel.js';
import { i32bits } from '../src/params.js';
import source from '../shaders/im2col.wgsl?raw';

export const IM2COL_WORKGROUP = 256;
export const im2colKernel = defineKernel({
  name: 'im2col',
  source,
  bindings: { x: 'read', w: 'read', bias: 'read', cols: 'read_write', wb: 'read_write', p: 'uniform' },
});

/** A validated 2-D convolution (src/ops/conv.ts `planConv2d`): NCHW input, [C_out, C_in/groups, kH, kW] weights. */
export interface ConvGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  outChannels: number;
  kh: number;
  kw: number;
  groups: number;
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  outHeight: number;
  outWidth: number;
  /** Terms of each output's dot product: (C_in/groups)·kH·kW, the matmul's K per group. */
  taps: number;
}

/** The words shared by the im2col and col2im uniforms: sizes, sample offset, window. */
export function windowWords(g: ConvGeometry, n0: number): number[] {
  return [
    g.channels, g.height, g.width, n0,
    g.outHeight, g.outWidth, g.kh, g.kw,
    g.stride[0], g.stride[1], i32bits(g.padding[0]), i32bits(g.padding[1]),
    g.dilation[0], g.dilation[1],
  ];
}

export interface Im2colChunk {
  /** First sample and number of samples. */
  n0: number;
  samples: number;
  /** Append a row of ones to each group's rows (and build the weights-with-bias matrix when `pack`). */
  biasRow: boolean;
  /** [n][r][s] (samples outermost) or [r][n][s] (rows outermost). */
  samplesOuter: boolean;
  /** Elements of the weights-with-bias matrix to write: C_out·(taps + 1) in the first chunk, else 0. */
  pack: number;
}

export function im2colLaunch(g: ConvGeometry, c: Im2colChunk): { params: Uint32Array; workgroups: number } {
  const groupRows = g.taps + (c.biasRow ? 1 : 0);
  const rows = g.groups * groupRows;
  const hw = g.outHeight * g.outWidth;
  const count = c.samples * rows * hw;
  const [strideN, strideR] = c.samplesOuter ? [rows * hw, hw] : [hw, c.samples * hw];
  const params = Uint32Array.from([
    ...windowWords(g, c.n0), g.channels / g.groups, groupRows,
    rows, strideN, strideR, count,
    c.pack, 0, 0, 0,
  ]);
  return { params, workgroups: Math.ceil((count + c.pack) / IM2COL_WORKGROUP) };
}
