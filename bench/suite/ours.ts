// wgsl-nn as a benchmarked library (imported from src/, so the page and the bundles measure the working tree).
import * as wn from '../../src/index.js';
import type { Runtime, Tensor } from '../../src/index.js';
import { instrumentDevice } from './instrument.js';
import { CHAIN_OPS, type BenchCase, type BenchLib, type DenseSpec, type DeviceCounters, type ElementwiseSpec, type MatmulSpec } from './types.js';

type Binary = (a: Tensor, b: Tensor) => Tensor;
type Unary = (a: Tensor) => Tensor;
const CHAIN_FNS: Record<string, Binary | Unary> = { add: wn.add, sub: wn.sub, mul: wn.mul, relu: wn.relu };

export async function createOurs(gpu?: GPU): Promise<BenchLib> {
  const rt: Runtime = await wn.init(gpu ? { gpu } : {});
  const device = instrumentDevice(rt.device);
  const { tidy, tensor } = wn;

  const caseOf = (opsPerStep: number, inputs: Tensor[], run: () => Tensor): BenchCase => ({
    opsPerStep,
    step: () => void tidy(() => void run(), rt),
    result: async () => {
      const out = tidy(run, rt);
      const data = (await out.toArray()) as Float32Array;
      out.dispose();
      return data;
    },
    dispose: () => inputs.forEach((t) => t.dispose()),
  });

  return {
    id: 'wgsl-nn',
    info: () => ({ library: 'wgsl-nn (src/)', adapter: rt.adapter, features: [...rt.features], maxDispatchesPerSubmit: 'default (64)' }),
    matmul(s: MatmulSpec) {
      const a = tensor(s.a, [s.m, s.k], 'f32', rt), b = tensor(s.b, [s.k, s.n], 'f32', rt);
      return caseOf(1, [a, b], () => wn.matmul(a, b));
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
