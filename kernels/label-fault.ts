import { defineKernel } from '../src/kernel.js';
import source from '../shaders/label-fault.wgsl?raw';

export const labelFaultKernel = defineKernel({
  name: 'labelFault',
  source,
  bindings: { status: 'read', labels: 'read', record: 'read_write', p: 'uniform' },
});

/** u32 words of the fault record (shaders/label-fault.wgsl); 8 keeps it one 32-byte pool class. */
export const LABEL_FAULT_WORDS = 8;
