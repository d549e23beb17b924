import { defineKernel } from '../src/kernel.js';
import source from '../shaders/random-stream.wgsl?raw';

/** Each thread writes 4 values. */
export const RANDOM_STREAM_VALUES_PER_WORKGROUP = 64 * 4;
export const randomStreamKernel = defineKernel({ name: 'random_stream', source, bindings: { out: 'read_write', rng: 'read', p: 'uniform' } });
