/** The differentiable ops: each records its backward rule when an input requires grad. */
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './nn.js';
export * from './loss.js';
export { backward } from './backward.js';
