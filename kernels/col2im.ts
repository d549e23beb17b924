import { defineKernel } from '../src/kernel.js';
import source from '../shaders/col2im.wgsl?raw';
import { windowWords, type ConvGeometry } from './im2col.js';

export const COL2IM_WORKGROUP = 256;
export const col2imKernel = defineKernel({ name: 'col2im', source, bindings: { dcols: 'read', dx: 'read_write', p: 'uniform' } });

/** Uniform and workgroups that gather dx for `samples` samples from n0 on. */
export function col2imLaunch(g: ConvGeometry, n0: number, samples: number): { params: Uint32Array; workgroups: number } {
  const count = samples * g.channels * g.height * g.width;
  return { params: Uint32Array.from([...windowWords(g, n0), count, 0]), workgroups: Math.ceil(count / COL2IM_WORKGROUP) };
}
