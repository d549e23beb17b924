// wgsl-nn as a benchmarked library (imported from src/, so the page and the bundles measure the working tree).
import * as wn from '../../src/index.js';
import type { Runtime, Tensor } from '../../src/index.js';
import { matmulWithTile, tileUnusable, type MatmulTile } from '../../src/ops/matmul.js';
import { instrumentDevice } from './instrument.js';
import {
  CHAIN_OPS, PROFILE_TOP, type BatchNormSpec, type BenchCase, type GpuProfile, type BenchLib, type ConvSpec, type DenseSpec, type DeviceCounters, type ElementwiseSpec,
  type MatmulSpec, type TrainSpec,
} from './types.js';
import { concat, VGG_CONFIG } from './workloads.js';

type Binary = (a: Tensor, b: Tensor) => Tensor;
type Unary = (a: Tensor) => Tensor;
const CHAIN_FNS: Record<string, Binary | Unary> = { add: wn.add, sub: wn.sub, mul: wn.mul, relu: wn.relu };

/** The benchmark's models (small VGG on 3×32×32), built on `rt`. */
export function benchModel(model: TrainSpec['model'], rt: Runtime): wn.Module {
  const opts = { runtime: rt };
  return model === 'mlp' ? wn.mlp([784, 512, 512, 10], opts)
    : model === 'lenet5' ? wn.lenet5(opts)
    : wn.smallVgg({ inChannels: 3, imageSize: 32, config: VGG_CONFIG, ...opts });
}

/** One training step (forward, cross-entropy, backward, update) compiled for typed-array batches of `sampleShape`. */
export function compileTrainStep(model: wn.Module, opt: wn.Optimizer, rt: Runtime, sampleShape: readonly number[], name: string): wn.CompiledStep<Tensor> {
  return wn.compile((x: Tensor, y: Tensor) => {
    opt.zeroGrad();
    const loss = wn.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  }, { name, runtime: rt, inputShapes: [sampleShape, []] });
}

export async function createOurs(gpu?: GPU): Promise<BenchLib> {
  const rt: Runtime = await wn.init(gpu ? { gpu } : {});
  const device = instrumentDevice(rt.device);
  const { tidy, tensor } = wn;

  const canProfile = rt.features.has('timestamp-query');
  const summarize = (p: wn.StepProfile): GpuProfile => ({
    stepMs: p.stepMs,
    kernelSumMs: p.dispatchSumMs,
    kernels: p.dispatches.length,
    top: p.byKernel.slice(0, PROFILE_TOP).map((g) => ({ name: `${g.op} · ${g.kernel}`, count: g.count, ms: g.ms })),
    slowest: p.dispatches.map((d, index) => ({ index, name: `${d.op} · ${d.kernel}`, grid: d.grid, ms: d.ms }))
      .sort((a, b) => b.ms - a.ms).slice(0, PROFILE_TOP),
  });
  /** An eager case's GPU work, timed as a compiled step of the same ops (the dispatches are the same). */
  const profileEager = (run: () => Tensor | Tensor[]) => async (): Promise<GpuProfile> => {
    const step = wn.compile(run, { name: 'bench profile', runtime: rt });
    try {
      return summarize(await step.profile([]));
    } finally {
      step.dispose();
    }
  };

  const caseOf = (opsPerStep: number, inputs: Tensor[], run: () => Tensor): BenchCase => ({
    opsPerStep,
    step: () => void tidy(() => void run(), rt),
    result: async () => {
      const out = tidy(run, rt);
      const data = (await out.toArray()) as Float32Array;
      out.dispose();
      return data;
    },
    ...(canProfile && opsPerStep === 1 ? { profile: profileEager(run) } : {}),
    dispose: () => inputs.forEach((t) => t.dispose()),
  });

  /** A forward + backward case with several outputs, compared concatenated. */
  const layerCase = (inputs: Tensor[], run: () => Tensor[]): BenchCase => ({
    opsPerStep: 1,
    step: () => void tidy(() => void run(), rt),
    result: async () => {
      const outs = tidy(run, rt);
      const parts = [];
      for (const t of outs) parts.push((await t.toArray()) as Float32Array);
      outs.forEach((t) => t.dispose());
      return concat(parts);
    },
    ...(canProfile ? { profile: profileEager(run) } : {}),
    dispose: () => inputs.forEach((t) => t.dispose()),
  });

  return {
    id: 'wgsl-nn',
    info: () => ({ library: 'wgsl-nn (src/)', adapter: rt.adapter, features: [...rt.features], maxDispatchesPerSubmit: 'default (64)' }),
    matmul(s: MatmulSpec) {
      const tile = s.tile as MatmulTile | undefined;
      const unusable = tile && tileUnusable(tile, rt.limits);
      if (unusable) return unusable;
      const a = tensor(s.a, [s.m, s.k], 'f32', rt), b = tensor(s.b, [s.k, s.n], 'f32', rt);
      return caseOf(1, [a, b], tile ? () => matmulWithTile(a, b, {}, tile) : () => wn.matmul(a, b));
    },
    dense(s: DenseSpec) {
      const x = tensor(s.x, [s.m, s.k], 'f32', rt), w = tensor(s.w, [s.k, s.n], 'f32', rt), bias = tensor(s.bias, [s.n], 'f32', rt);
      return caseOf(1, [x, w, bias], () => wn.matmul(x, w, { bias, activation: 'relu' }));
    },
    add(s: ElementwiseSpec) {
      const x = tensor(s.x, s.shape, 'f32', rt), y = tensor(s.y, s.shape, 'f32', rt);
      return caseOf(1, [x, y], () => wn.add(x, y));
    },
    chain(s: ElementwiseSpec) {
      const x = tensor(s.x, s.shape, 'f32', rt), y = tensor(s.y, s.shape, 'f32', rt);
      return caseOf(CHAIN_OPS.length, [x, y], () => {
        let t = x;
        for (const name of CHAIN_OPS) t = name === 'relu' ? (CHAIN_FNS[name] as Unary)(t) : (CHAIN_FNS[name] as Binary)(t, y);
        return t;
      });
    },
    train(s: TrainSpec) {
      const model = benchModel(s.model, rt);
      const named = model.namedParameters();
      const params = named.map(([, t]) => t);
      const opt = new wn.SGD(params, { lr: s.lr, momentum: s.momentum });
      const load = () => {
        if (named.length !== s.params.length) throw new Error(`model has ${named.length} parameters, the spec ${s.params.length}`);
        named.forEach(([name, t], i) => {
          const p = s.params[i]!;
          if (!name.endsWith(`.${p.name}`) || t.shape.join() !== p.shape.join()) {
            throw new Error(`parameter ${i} is ${name} [${t.shape}], the spec has ${p.name} [${p.shape}]`);
          }
          rt.upload('bench', t.buffer('bench'), p.data);
        });
      };
      load();
      const step = compileTrainStep(model, opt, rt, s.sampleShape, `bench ${s.model}`);
      let i = 0;
      return {
        opsPerStep: 1,
        step: () => {
          const k = i++ & 1;
          step(s.xs[k]!, s.ys[k]!).dispose();
        },
        // Losses of 3 steps on batch 0 from the spec's weights (the first call traces, the others replay).
        result: async () => {
          const losses = [];
          for (let j = 0; j < 3; j++) {
            const l = step(s.xs[0]!, s.ys[0]!);
            losses.push(await l.item());
            l.dispose();
          }
          return Float32Array.from(losses);
        },
        ...(canProfile ? { profile: async () => summarize(await step.profile([s.xs[0]!, s.ys[0]!])) } : {}),
        dispose: () => {
          // The traced backward left each parameter's .grad set (a tensor of the trace): release them too.
          for (const t of params) {
            t.grad?.dispose();
            t.grad = null;
          }
          step.dispose();
          opt.dispose();
          opt.arena.dispose(); // the optimizer packed the parameters into its own arena
          model.dispose(); // BN running statistics (parameters are already gone)
        },
      };
    },
    conv(s: ConvSpec) {
      const x = tensor(s.x, [s.n, s.cin, s.h, s.w], 'f32', rt), w = tensor(s.weight, [s.cout, s.cin, s.k, s.k], 'f32', rt);
      const bias = tensor(s.bias, [s.cout], 'f32', rt), dy = tensor(s.dy, [s.n, s.cout, s.outH, s.outW], 'f32', rt);
      const run = () => {
        const y = wn.ops.conv2d(x, w, { bias, padding: s.pad });
        const g = wn.ops.conv2dBackward(dy, x, w, { padding: s.pad });
        return [y, g.dx!, g.dw!, g.db!];
      };
      return layerCase([x, w, bias, dy], run);
    },
    batchNorm(s: BatchNormSpec) {
      const x = tensor(s.x, [s.n, s.c, s.h, s.w], 'f32', rt), dy = tensor(s.dy, [s.n, s.c, s.h, s.w], 'f32', rt);
      const gamma = tensor(s.gamma, [s.c], 'f32', rt), beta = tensor(s.beta, [s.c], 'f32', rt);
      const rm = wn.zeros([s.c], 'f32', rt), rv = wn.ones([s.c], 'f32', rt);
      const run = () => {
        const f = wn.ops.batchNormTrain(x, gamma, beta, rm, rv, { eps: s.eps, momentum: s.momentum });
        const g = wn.ops.batchNormBackward(dy, x, gamma, f.saveMean, f.saveInvstd);
        return [f.y, g.dx, g.dgamma!, g.dbeta!];
      };
      return layerCase([x, dy, gamma, beta, rm, rv], run);
    },
    // dawn's null device caps a device's memory at 512 MiB: without this, buffers the pool keeps from earlier
    // cases make the large ones fail (out of memory) there.
    betweenCases: async () => {
      await rt.sync();
      rt.trim();
    },
    sync: () => rt.sync(),
    deviceCounters: (): DeviceCounters => ({ ...device }),
    libCounters: () => ({ ...rt.stats }),
    memory: () => {
      const m = rt.memory() as unknown as Record<string, number>;
      const out: Record<string, number> = {};
      for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = v;
      return out;
    },
    dispose: () => rt.destroy(),
  };
}
