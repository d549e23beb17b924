import { defineKernel } from '../src/kernel.js';
import source from '../shaders/fill.wgsl?raw';

export const FILL_WORKGROUP = 256;
export const fillKernel = defineKernel({ name: 'fill', source, bindings: { out: 'read_write', p: 'uniform' } });
