// TF.js (tfjs-core + tfjs-backend-webgpu) as a benchmarked library, in the same page / process.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradient functions (the @tensorflow/tfjs union package imports this).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { instrumentDevice } from './instrument.js';
import {
  CHAIN_OPS, PROFILE_TOP, type BatchNormSpec, type BenchCase, type BenchLib, type GpuProfile, type ConvSpec, type DenseSpec, type DeviceCounters, type ElementwiseSpec,
  type MatmulSpec, type TrainSpec,
} from './types.js';
import { concat, fcToTf, hwioToOihw, nchwToNhwc, nhwcToNchw, oihwToHwio, VGG_CONFIG } from './workloads.js';

/** What the suite touches of tfjs-backend-webgpu's WebGPUBackend (not in its public typings). */
interface WebGPUBackendLike {
  device: GPUDevice;
  queue: GPUQueue;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  adapterInfo: Record<string, unknown>;
  supportTimestampQuery?: boolean;
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

  /**
   * TF.js's own profiler: tf.time() gives every program a pass with timestamps and sums them (its
   * getExtraProfileInfo lists "Program: ms" pairs). Kernel time only, like wgsl-nn's per-dispatch sum.
   */
  const profile = be.supportTimestampQuery ? (stepOnce: () => void) => async (): Promise<GpuProfile> => {
    const info = await tf.time(stepOnce) as tf.TimingInfo & { getExtraProfileInfo?: () => string };
    const kernelMs = typeof info.kernelMs === 'number' ? info.kernelMs : NaN;
    const groups = new Map<string, { name: string; count: number; ms: number }>();
    for (const part of (info.getExtraProfileInfo?.() ?? '').split(', ').filter(Boolean)) {
      const at = part.lastIndexOf(': ');
      const name = part.slice(0, at), ms = Number(part.slice(at + 2));
      const g = groups.get(name) ?? { name, count: 0, ms: 0 };
      g.count++;
      g.ms += ms;
      groups.set(name, g);
    }
    const all = [...groups.values()].sort((a, b) => b.ms - a.ms);
    return { stepMs: kernelMs, kernelSumMs: kernelMs, kernels: all.reduce((n, g) => n + g.count, 0), top: all.slice(0, PROFILE_TOP) };
  } : null;
  const withProfile = (stepOnce: () => void) => (profile ? { profile: profile(stepOnce) } : {});

  const caseOf = (opsPerStep: number, inputs: tf.Tensor[], run: () => tf.Tensor): BenchCase => ({
    ...(opsPerStep === 1 ? withProfile(() => tf.tidy(() => void run())) : {}),
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
async function syncTf(): Promise<void> {
    // TF.js batches up to WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE dispatches before it submits: submit the rest
    // (as its own read path does) and wait for the queue.
    if (be.commandEncoder) {
      be.endComputePassEncoder();
      be.submitQueue();
    }
    await be.queue.onSubmittedWorkDone();
  }

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
    train(s: TrainSpec) {
      // The model in tf ops, NHWC (TF.js's native layout), laid out as tf.layers would build it: Dense =
      // tf.fused.matMul with bias + activation, Conv2D = tf.fused.conv2d, BatchNormalization = tf.moments +
      // tf.batchNorm (+ the moving-statistics update, outside the gradient). TF.js itself falls back from a
      // fused activation to separate ops while recording gradients.
      const [c, h, w] = s.sampleShape;
      const vars = s.params.map((p) => {
        const data = p.kind === 'conv' ? oihwToHwio(p.data, p.shape[0]!, p.shape[1]!, p.shape[2]!, p.shape[3]!) : p.kind === 'fc' ? fcToTf(p) : p.data;
        const shape: number[] = p.kind === 'conv' ? [p.shape[2]!, p.shape[3]!, p.shape[1]!, p.shape[0]!] : p.kind === 'fc' ? [p.shape[1]!, p.shape[0]!] : p.shape;
        const init = tf.tensor(data, shape, 'float32');
        const v = tf.variable(init, true);
        init.dispose();
        return v;
      });
      const moving: tf.Variable[] = [];
      const xs = s.xs.map((x) => (s.model === 'mlp' ? x : nchwToNhwc(x, s.batch, c, h, w)));
      const xShape = s.model === 'mlp' ? [s.batch, c * h * w] : [s.batch, h, w, c];
      const dense = (x: tf.Tensor, i: number, act: 'relu' | 'linear') =>
        tf.fused.matMul({ a: x as tf.Tensor2D, b: vars[i] as tf.Tensor2D, bias: vars[i + 1], activation: act });
      let forward: (x: tf.Tensor) => tf.Tensor;
      if (s.model === 'mlp') {
        forward = (x) => dense(dense(dense(x, 0, 'relu'), 2, 'relu'), 4, 'linear');
      } else if (s.model === 'lenet5') {
        forward = (x) => {
          let t: tf.Tensor = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: vars[0] as tf.Tensor4D, bias: vars[1], strides: 1, pad: 'same', activation: 'relu' });
          t = tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
          t = tf.fused.conv2d({ x: t as tf.Tensor4D, filter: vars[2] as tf.Tensor4D, bias: vars[3], strides: 1, pad: 'valid', activation: 'relu' });
          t = tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
          t = tf.reshape(t, [s.batch, 400]);
          return dense(dense(dense(t, 4, 'relu'), 6, 'relu'), 8, 'linear');
        };
      } else {
        for (const v of VGG_CONFIG) {
          if (v === 'M') continue;
          moving.push(...tf.tidy(() => [tf.variable(tf.zeros([v]), false), tf.variable(tf.ones([v]), false)]));
        }
        forward = (x) => {
          let t = x, p = 0, bn = 0;
          for (const v of VGG_CONFIG) {
            if (v === 'M') {
              t = tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid');
              continue;
            }
            t = tf.fused.conv2d({ x: t as tf.Tensor4D, filter: vars[p] as tf.Tensor4D, strides: 1, pad: 'same' });
            const { mean, variance } = tf.moments(t, [0, 1, 2]);
            // tf.layers' BatchNormalization: moving = moving − (moving − batch)·(1 − momentum), outside the tape.
            // BN momentum 0.1 in PyTorch terms (0.9 in Keras's).
            const [mm, mv] = [moving[bn]!, moving[bn + 1]!];
            tf.tidy(() => {
              mm.assign(tf.sub(mm, tf.mul(tf.sub(mm, mean), 0.1)));
              mv.assign(tf.sub(mv, tf.mul(tf.sub(mv, variance), 0.1)));
            });
            t = tf.relu(tf.batchNorm(t, mean, variance, vars[p + 2], vars[p + 1], 1e-5));
            p += 3;
            bn += 2;
          }
          t = tf.reshape(t, [s.batch, 256 * 4 * 4]);
          return dense(t, p, 'linear');
        };
      }
      const opt = tf.train.momentum(s.lr, s.momentum);
      const lossOf = (k: number) => () => {
        const x = tf.tensor(xs[k]!, xShape, 'float32');
        const y = tf.oneHot(tf.tensor1d(s.ys[k]!, 'int32'), s.classes, 1, 0, 'float32');
        return tf.losses.softmaxCrossEntropy(y, forward(x)) as tf.Scalar;
      };
      let i = 0;
      return {
        opsPerStep: 1,
        // TF.js's fastest training path: minimize without returning the cost, nothing read back.
        step: () => {
          const k = i++ & 1;
          tf.tidy(() => void opt.minimize(lossOf(k), false, vars));
        },
        result: async () => {
          const losses = [];
          for (let j = 0; j < 3; j++) {
            const l = tf.tidy(() => opt.minimize(lossOf(0), true, vars)!);
            losses.push((await l.data())[0]!);
            l.dispose();
          }
          return Float32Array.from(losses);
        },
        ...withProfile(() => tf.tidy(() => void opt.minimize(lossOf(0), false, vars))),
        dispose: () => {
          opt.dispose();
          [...vars, ...moving].forEach((v) => v.dispose());
        },
      };
    },
    conv(s: ConvSpec) {
      // NHWC / HWIO: TF.js's native (fast) layout. Forward with bias (tf.fused.conv2d, linear: stays fused
      // under gradients, with its own backward: conv2DBackpropInput, conv2DBackpropFilter, bias sum).
      const x = tf.tensor4d(nchwToNhwc(s.x, s.n, s.cin, s.h, s.w), [s.n, s.h, s.w, s.cin]);
      const w = tf.tensor4d(oihwToHwio(s.weight, s.cout, s.cin, s.k, s.k), [s.k, s.k, s.cin, s.cout]);
      const b = tf.tensor1d(s.bias);
      const dy = tf.tensor4d(nchwToNhwc(s.dy, s.n, s.cout, s.outH, s.outW), [s.n, s.outH, s.outW, s.cout]);
      const pad = s.pad === 0 ? 'valid' : ([[0, 0], [s.pad, s.pad], [s.pad, s.pad], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
      const f = tf.valueAndGrads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, bias: bb, strides: 1, pad }));
      const run = () => {
        const { value, grads } = f([x, w, b], dy);
        return [value, ...grads];
      };
      return {
        opsPerStep: 1,
        step: () => tf.tidy(() => void run()),
        ...withProfile(() => tf.tidy(() => void run())),
        result: async () => {
          const [y, dx, dw, db] = tf.tidy(run) as tf.Tensor[];
          const out = concat([
            nhwcToNchw(await y!.data(), s.n, s.cout, s.outH, s.outW), nhwcToNchw(await dx!.data(), s.n, s.cin, s.h, s.w),
            hwioToOihw(await dw!.data(), s.cout, s.cin, s.k, s.k), await db!.data(),
          ]);
          [y, dx, dw, db].forEach((t) => t!.dispose());
          return out;
        },
        dispose: () => [x, w, b, dy].forEach((t) => t.dispose()),
      };
    },
    batchNorm(s: BatchNormSpec) {
      // NHWC; as tf.layers' BatchNormalization in training: tf.moments over N, H, W, tf.batchNorm, the
      // moving statistics updated beside (not differentiated); dx, dγ, dβ through tf.valueAndGrads.
      const x = tf.tensor4d(nchwToNhwc(s.x, s.n, s.c, s.h, s.w), [s.n, s.h, s.w, s.c]);
      const dy = tf.tensor4d(nchwToNhwc(s.dy, s.n, s.c, s.h, s.w), [s.n, s.h, s.w, s.c]);
      const gamma = tf.tensor1d(s.gamma), beta = tf.tensor1d(s.beta);
      const [mm, mv] = tf.tidy(() => [tf.variable(tf.zeros([s.c]), false), tf.variable(tf.ones([s.c]), false)]);
      const f = tf.valueAndGrads((xx: tf.Tensor, g: tf.Tensor, bt: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        tf.tidy(() => {
          mm.assign(tf.sub(mm, tf.mul(tf.sub(mm, mean), s.momentum)));
          mv.assign(tf.sub(mv, tf.mul(tf.sub(mv, variance), s.momentum)));
        });
        return tf.batchNorm(xx, mean, variance, bt, g, s.eps);
      });
      const run = () => {
        const { value, grads } = f([x, gamma, beta], dy);
        return [value, ...grads];
      };
      return {
        opsPerStep: 1,
        step: () => tf.tidy(() => void run()),
        ...withProfile(() => tf.tidy(() => void run())),
        result: async () => {
          const [y, dx, dg, db] = tf.tidy(run) as tf.Tensor[];
          const out = concat([
            nhwcToNchw(await y!.data(), s.n, s.c, s.h, s.w), nhwcToNchw(await dx!.data(), s.n, s.c, s.h, s.w), await dg!.data(), await db!.data(),
          ]);
          [y, dx, dg, db].forEach((t) => t!.dispose());
          return out;
        },
        dispose: () => [x, dy, gamma, beta, mm, mv].forEach((t) => t.dispose()),
      };
    },
    // Gives back the buffers TF.js's buffer manager keeps for reuse (dawn's null device caps a device at 512 MiB).
    async betweenCases() {
      await syncTf();
      const bm = (be as unknown as { bufferManager?: { freeBuffers: Map<string, GPUBuffer[]>; numFreeBuffers: number; numBytesAllocated: number } }).bufferManager;
      if (!bm) return;
      for (const list of bm.freeBuffers.values()) {
        for (const b of list) {
          bm.numBytesAllocated -= b.size;
          b.destroy();
        }
        list.length = 0; // keep the keys: releaseBuffer ignores releases while the map is empty
      }
      bm.numFreeBuffers = 0;
    },
    sync: syncTf,
    deviceCounters: (): DeviceCounters => ({ ...device }),
    libCounters: () => null,
    memory: () => {
      const m = tf.memory() as unknown as Record<string, number>;
      return { numTensors: m.numTensors!, numDataBuffers: m.numDataBuffers!, numBytesInGPU: (m as Record<string, number>).numBytesInGPU ?? 0 };
    },
    dispose: () => tf.engine().reset(),
  };
}
