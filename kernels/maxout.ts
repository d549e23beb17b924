import { defineKernel } from '../src/kernel.js';
import source from '../shaders/maxout.wgsl?raw';

export const MAXOUT_WORKGROUP = 256;
export const maxoutKernel = defineKernel({ name: 'maxout', source, bindings: { x: 'read', dy: 'read', out: 'read_write', p: 'uniform' } });
