import { defineKernel } from '../src/kernel.js';
import source from '../shaders/step-fault.wgsl?raw';
import watchSource from '../shaders/loss-watch.wgsl?raw';

export const labelFaultKernel = defineKernel({
  name: 'labelFault',
  source,
  bindings: { status: 'read', labels: 'read', record: 'read_write', p: 'uniform' },
});

export const lossWatchKernel = defineKernel({ name: 'lossWatch', source: watchSource, bindings: { loss: 'read', record: 'read_write' } });

/** u32 words of the step fault record (shaders/loss-watch.wgsl lists them); 8 keeps it one 32-byte pool class. */
export const STEP_FAULT_WORDS = 8;
export const FAULT_LABEL = 1;
export const FAULT_NON_FINITE_LOSS = 2;
/** Word index of the watched-step counter. */
export const STEP_COUNTER_WORD = 6;
