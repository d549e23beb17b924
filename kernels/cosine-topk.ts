import { defineKernel } from '../src/kernel.js';
import source from '../shaders/cosine-topk.wgsl?raw';

export const cosineTopKKernel = defineKernel({
  name: 'cosine-topk', source,
  bindings: { sim: 'read_write', q_sq: 'read', g_sq: 'read', indices: 'read_write', scores: 'read_write', p: 'uniform' },
});

/** One workgroup of 256 threads per query row. */
export const COSINE_TOPK_WORKGROUP = 256;
