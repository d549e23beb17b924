/**
 * The raw kernels' ops, forward and backward, without autodiff recording (the package entry exports the
 * differentiable versions under the plain names; these are `ops.*`).
 */
export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './transpose.js';
export * from './matmul.js';
export * from './conv.js';
export * from './pool.js';
export * from './batchnorm.js';
export * from './dropout.js';
export * from './activation.js';
export * from './loss.js';
export * from './metrics.js';
export * from './augment.js';
export * from './neighbors.js';
