import { defineKernel, type Kernel } from '../src/kernel.js';
import forwardSource from '../shaders/softmax.wgsl?raw';
import backwardSource from '../shaders/softmax-backward.wgsl?raw';

/**
 * Rows at least this long get a workgroup each (256 threads and a tree); shorter rows a thread each, which
 * keeps a batch of short rows (class scores) to one pass over memory without idle threads.
 */
export const ROW_PER_WORKGROUP_MIN_LEN = 256;
const ROWS_PER_THREAD_WORKGROUP = 64;

const forwardBindings = { x: 'read', out: 'read_write', p: 'uniform' } as const;
const backwardBindings = { dy: 'read', y: 'read', dx: 'read_write', p: 'uniform' } as const;

export const softmaxKernels = {
  thread: defineKernel({ name: 'softmax-thread', source: forwardSource, entryPoint: 'row_per_thread', bindings: forwardBindings }),
  workgroup: defineKernel({ name: 'softmax-workgroup', source: forwardSource, entryPoint: 'row_per_workgroup', bindings: forwardBindings }),
};
export const softmaxBackwardKernels = {
  thread: defineKernel({ name: 'softmax-backward-thread', source: backwardSource, entryPoint: 'row_per_thread', bindings: backwardBindings }),
  workgroup: defineKernel({ name: 'softmax-backward-workgroup', source: backwardSource, entryPoint: 'row_per_workgroup', bindings: backwardBindings }),
};

/** The kernel variant and workgroup count for `rows` rows of length `len`. */
export function planSoftmax(kernels: { thread: Kernel; workgroup: Kernel }, rows: number, len: number): { kernel: Kernel; workgroups: number } {
  return len >= ROW_PER_WORKGROUP_MIN_LEN
    ? { kernel: kernels.workgroup, workgroups: rows }
    : { kernel: kernels.thread, workgroups: Math.ceil(rows / ROWS_PER_THREAD_WORKGROUP) };
}
