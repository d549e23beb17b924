import { defineKernel } from '../src/kernel.js';
import { f32bits } from '../src/params.js';
import statsSource from '../shaders/batchnorm-stats.wgsl?raw';
import applySource from '../shaders/batchnorm-apply.wgsl?raw';
import backwardReduceSource from '../shaders/batchnorm-backward-reduce.wgsl?raw';
import backwardApplySource from '../shaders/batchnorm-backward-apply.wgsl?raw';

/**
 * Per-channel reductions (statistics, backward sums) run one workgroup of 256 threads per channel, each
 * thread striding over N·S elements: C·256 threads in all. That saturates a GPU from about C = 64 on;
 * for few channels with large N·H·W (C = 3, 224×224) a split over several workgroups per channel
 * would be faster. Elementwise passes run one thread per element.
 */
export const BN_WORKGROUP = 256;

export const BN_AFFINE = 1;
export const BN_RELU = 2;
/** The apply pass gets the running variance instead of 1/√(σ²+ε) (eval mode). */
export const BN_FROM_VAR = 4;

export const batchNormStatsKernel = defineKernel({
  name: 'batchnorm-stats',
  source: statsSource,
  bindings: { x: 'read', save_mean: 'read_write', save_invstd: 'read_write', running_mean: 'read_write', running_var: 'read_write', p: 'uniform' },
});

export const batchNormApplyKernel = defineKernel({
  name: 'batchnorm-apply',
  source: applySource,
  bindings: { x: 'read', mean: 'read', invstd_or_var: 'read', gamma: 'read', beta: 'read', y: 'read_write', p: 'uniform' },
});

export const batchNormBackwardReduceKernel = defineKernel({
  name: 'batchnorm-backward-reduce',
  source: backwardReduceSource,
  bindings: { dy: 'read', x: 'read', y: 'read', mean: 'read', invstd: 'read', dbeta: 'read_write', dgamma: 'read_write', coef: 'read_write', p: 'uniform' },
});

export const batchNormBackwardApplyKernel = defineKernel({
  name: 'batchnorm-backward-apply',
  source: backwardApplySource,
  bindings: { dy: 'read', x: 'read', y: 'read', gamma: 'read', coef: 'read', dx: 'read_write', p: 'uniform' },
});

/** x viewed as [N, C, S]. */
export interface BNLayout {
  batch: number;
  channels: number;
  spatial: number;
}

export function statsParams(l: BNLayout, eps: number, momentum: number, updateRunning: boolean): Uint32Array {
  return Uint32Array.of(l.channels, l.spatial, l.batch * l.spatial, f32bits(eps), f32bits(momentum), updateRunning ? 1 : 0);
}

export function applyParams(l: BNLayout, eps: number, flags: number): Uint32Array {
  return Uint32Array.of(l.batch * l.channels * l.spatial, l.channels, l.spatial, f32bits(eps), flags);
}

export function backwardReduceParams(l: BNLayout, relu: boolean): Uint32Array {
  return Uint32Array.of(l.channels, l.spatial, l.batch * l.spatial, relu ? 1 : 0);
}

export function backwardApplyParams(l: BNLayout, flags: number): Uint32Array {
  return Uint32Array.of(l.batch * l.channels * l.spatial, l.channels, l.spatial, flags);
}

export function elementwiseWorkgroups(l: BNLayout): number {
  return Math.ceil((l.batch * l.channels * l.spatial) / BN_WORKGROUP);
}
