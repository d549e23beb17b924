import { defineKernel } from '../src/kernel.js';
import source from '../shaders/random.wgsl?raw';

/** Each thread writes 4 values. */
export const RANDOM_VALUES_PER_WORKGROUP = 64 * 4;
export const DIST_UNIFORM = 0;
export const DIST_NORMAL = 1;
export const randomKernel = defineKernel({ name: 'random', source, bindings: { out: 'read_write', p: 'uniform' } });
