import { defineKernel } from '../src/kernel.js';
import source from '../shaders/where.wgsl?raw';

export const whereKernel = defineKernel({ name: 'where', source, bindings: { cond: 'read', a: 'read', b: 'read', out: 'read_write', p: 'uniform' } });
