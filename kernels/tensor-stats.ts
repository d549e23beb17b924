import { defineKernel } from '../src/kernel.js';
import source from '../shaders/tensor-stats.wgsl?raw';

export const tensorStatsKernel = defineKernel({
  name: 'tensor-stats',
  source,
  bindings: { x: 'read', y: 'read', out: 'read_write', p: 'uniform', control: 'read' },
});

/** Words before the histogram in a slot (see shaders/tensor-stats.wgsl). */
export const STATS_HEADER = 10;
export const STATS_MAX_BINS = 64;
/** A slot's bytes: header and histogram, rounded up to WebGPU's largest storage offset alignment. */
export function statsSlotBytes(bins: number): number {
  return Math.ceil(((STATS_HEADER + bins) * 4) / 256) * 256;
}
