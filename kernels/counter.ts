import { defineKernel } from '../src/kernel.js';
import source from '../shaders/counter.wgsl?raw';

export const counterKernel = defineKernel({ name: 'counter', source, bindings: { count: 'read_write' } });
