// TF.js (tfjs-core + tfjs-backend-webgpu) as a benchmarked library, in the same page / process.
import * as tf from '@tensorflow/tfjs-core';
import { instrumentDevice } from './instrument.js';
import { CHAIN_OPS, type BenchCase, type BenchLib, type DenseSpec, type DeviceCounters, type ElementwiseSpec, type MatmulSpec } from './types.js';

/** What the suite touches of tfjs-backend-webgpu's WebGPUBackend (not in its public typings). */
interface WebGPUBackendLike {
  device: GPUDevice;
  queue: GPUQueue;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  adapterInfo: Record<string, unknown>;
}

/**
 * Sets up TF.js's 'webgpu' backend. The backend module registers 'webgpu' at import time only if
 * `navigator.gpu` exists, so it is imported here, after the Node runners have installed navigator.gpu.
 */
export async function createTfjs(): Promise<BenchLib> {
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  await tf.ready();
  const be = tf.backend() as unknown as WebGPUBackendLike;
  const device = instrumentDevice(be.device);

  const caseOf = (opsPerStep: number, inputs: tf.Tensor[], run: () => tf.Tensor): BenchCase => ({
    opsPerStep,
    // tf.tidy keeps a returned tensor: return nothing so every tensor of the step is disposed.
    step: () => tf.tidy(() => void run()),
    result: async () => {
      const out = tf.tidy(run);
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    },
    dispose: () => inputs.forEach((t) => t.dispose()),
  });
  const t2 = (data: Float32Array, shape: [number, number]) => tf.tensor2d(data, shape, 'float32');

  return {
    id: 'tfjs-webgpu',
    info: () => ({
      library: `@tensorflow/tfjs-core ${tf.version_core}, tfjs-backend-webgpu`,
      adapterInfo: { ...be.adapterInfo },
      flags: {
        WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'),
        WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD: tf.env().get('WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD'),
      },
    }),
    matmul(s: MatmulSpec) {
      const a = t2(s.a, [s.m, s.k]), b = t2(s.b, [s.k, s.n]);
      return caseOf(1, [a, b], () => tf.matMul(a, b));
    },
    dense(s: DenseSpec) {
      const x = t2(s.x, [s.m, s.k]), w = t2(s.w, [s.k, s.n]), bias = tf.tensor1d(s.bias, 'float32');
      return caseOf(1, [x, w, bias], () => tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }));
    },
    add(s: ElementwiseSpec) {
      const x = t2(s.x, s.shape), y = t2(s.y, s.shape);
      return caseOf(1, [x, y], () => tf.add(x, y));
    },
    chain(s: ElementwiseSpec) {
      const x = t2(s.x, s.shape), y = t2(s.y, s.shape);
      const fns: Record<string, (t: tf.Tensor) => tf.Tensor> = {
        add: (t) => tf.add(t, y), sub: (t) => tf.sub(t, y), mul: (t) => tf.mul(t, y), relu: (t) => tf.relu(t),
      };
      return caseOf(CHAIN_OPS.length, [x, y], () => CHAIN_OPS.reduce((t, name) => fns[name]!(t), x as tf.Tensor));
    },
    async sync() {
      // TF.js batches up to WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches before it submits: submit the rest
      // (as its own read path does) and wait for the queue.
      if (be.commandEncoder) {
        be.endComputePassEncoder();
        be.submitQueue();
      }
      await be.queue.onSubmittedWorkDone();
    },
    deviceCounters: (): DeviceCounters => ({ ...device }),
    libCounters: () => null,
    memory: () => {
      const m = tf.memory() as unknown as Record<string, number>;
      return { numTensors: m.numTensors!, numDataBuffers: m.numDataBuffers!, numBytesInGPU: (m as Record<string, number>).numBytesInGPU ?? 0 };
    },
    dispose: () => tf.engine().reset(),
  };
}
