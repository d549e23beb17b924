export { init, getRuntime, setRuntime, Runtime } from './device.js';
export type { InitOptions, RuntimeStats, AdapterDescription } from './device.js';
export * from './errors.js';
export type { DType, AnyTypedArray } from './dtype.js';
export { Tensor, tidy, keep, empty } from './tensor.js';
export { tensor, full, zeros, ones, rand, randn, seed } from './ops/creation.js';
export type { RandomOptions } from './ops/creation.js';
