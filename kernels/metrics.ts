import { defineKernel } from '../src/kernel.js';
import source from '../shaders/metrics.wgsl?raw';

export const metricsKernel = defineKernel({
  name: 'metrics',
  source,
  bindings: { logits: 'read', labels: 'read', loss: 'read', loss_sum: 'read_write', correct: 'read_write', p: 'uniform' },
});
