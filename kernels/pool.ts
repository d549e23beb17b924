import { defineKernel } from '../src/kernel.js';
import maxSource from '../shaders/maxpool2d.wgsl?raw';
import maxBackwardSource from '../shaders/maxpool2d-backward.wgsl?raw';
import avgSource from '../shaders/avgpool2d.wgsl?raw';
import avgBackwardSource from '../shaders/avgpool2d-backward.wgsl?raw';

/** Every pooling kernel runs a thread per output (forward) or input (backward) element, 256 per workgroup. */
export const POOL_WORKGROUP = 256;

export const maxPool2dKernel = defineKernel({ name: 'maxpool2d', source: maxSource, bindings: { x: 'read', y: 'read_write', indices: 'read_write', p: 'uniform' } });
export const maxPool2dBackwardKernel = defineKernel({ name: 'maxpool2d-backward', source: maxBackwardSource, bindings: { dy: 'read', indices: 'read', gate: 'read', dx: 'read_write', p: 'uniform' } });
export const avgPool2dKernel = defineKernel({ name: 'avgpool2d', source: avgSource, bindings: { x: 'read', y: 'read_write', p: 'uniform' } });
export const avgPool2dBackwardKernel = defineKernel({ name: 'avgpool2d-backward', source: avgBackwardSource, bindings: { dy: 'read', dx: 'read_write', p: 'uniform' } });

/** A pooling problem with every size resolved: planes = N·C images of H×W, output OH×OW. */
export interface PoolGeometry {
  n: number; c: number; h: number; w: number; oh: number; ow: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
}

/** Uniform words of the pooling shaders' Params. */
export function poolParams(g: PoolGeometry): Uint32Array {
  return Uint32Array.of(g.n * g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw);
}
