import type { Activation } from '../../kernels/matmul.js';
import { planMatmul, type MatmulPlan, type MatmulPlanOptions } from '../ops/matmul.js';
import { broadcastStrides, sizeOf, stridesOf } from '../shape.js';
import type { RefTensor } from './ref-tensor.js';

export interface MatmulRefOptions extends Omit<MatmulPlanOptions, 'bias' | 'gate'> {
  bias?: RefTensor;
  /** Of the output's shape: the product is multiplied by (gate > 0). */
  gate?: RefTensor;
}

/** The epilogue activation in float64; `param` is leakyRelu's slope or elu's α (see MatmulPlan). */
export function activationRef(x: number, activation: Activation, param: number): number {
  switch (activation) {
    case 'none': return x;
    case 'relu': return Math.max(x, 0);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'leakyRelu': return x >= 0 ? x : param * x;
    case 'elu': return x > 0 ? x : param * Math.expm1(x);
    case 'gelu': return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  }
}

/**
 * Σ_k term(op(A)[z, i, k], op(B)[z, k, j]) + biasTerm(bias[j]) for every output, by the definition, with
 * each operand's batch offset taken from its own (broadcast) strides.
 */
function contract(a: RefTensor, b: RefTensor, opts: MatmulRefOptions, plan: MatmulPlan, term: (x: number, y: number) => number, biasTerm: (x: number) => number): RefTensor {
  const { M, N, K, outShape, sum } = plan;
  // The input batch: the output's, with its leading dimension back to zlen when entries are summed.
  const batchShape = sum.zsum > 1 ? [sum.zlen, ...outShape.slice(1, -2)] : outShape.slice(0, -2);
  const sa = broadcastStrides(a.shape.slice(0, -2), batchShape), sb = broadcastStrides(b.shape.slice(0, -2), batchShape);
  const so = stridesOf(batchShape);
  const out = new Float64Array(plan.batch * M * N);
  for (let zi = 0, inputs = sizeOf(batchShape); zi < inputs; zi++) {
    const z = Math.floor(zi / sum.zrest / sum.zsum) * sum.zrest + (zi % sum.zrest);
    let ao = 0, bo = 0;
    batchShape.forEach((_, d) => {
      const coord = Math.floor(zi / so[d]!) % batchShape[d]!;
      ao += coord * sa[d]! * M * K;
      bo += coord * sb[d]! * K * N;
    });
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const o = (z * M + i) * N + j;
        // The bias once per output, with the output's first summed entry.
        let s = opts.bias && Math.floor(zi / sum.zrest) % sum.zsum === 0 ? biasTerm(opts.bias.data[j]!) : 0;
        for (let k = 0; k < K; k++) {
          const x = a.data[ao + (opts.transposeA ? k * M + i : i * K + k)]!;
          const y = b.data[bo + (opts.transposeB ? j * K + k : k * N + j)]!;
          s += term(x, y);
        }
        out[o] += s;
      }
    }
  }
  return { shape: outShape, data: out };
}

/** The op's validation and dimensions (so the reference throws the same errors). */
function refPlan(a: RefTensor, b: RefTensor, opts: MatmulRefOptions): MatmulPlan {
  const operand = (t: RefTensor | undefined) => t && { shape: t.shape, dtype: 'f32' as const };
  return planMatmul({ shape: a.shape, dtype: 'f32' }, { shape: b.shape, dtype: 'f32' }, { ...opts, bias: operand(opts.bias), gate: operand(opts.gate) });
}

/** matmul in float64: activation(op(a) · op(b) + bias), or op(a) · op(b) · (gate > 0), same options and shape rules as the op. */
export function matmulRef(a: RefTensor, b: RefTensor, opts: MatmulRefOptions = {}): RefTensor {
  const plan = refPlan(a, b, opts);
  const z = contract(a, b, opts, plan, (x, y) => x * y, (x) => x);
  const gate = opts.gate?.data;
  return { shape: z.shape, data: z.data.map((v, i) => (gate && !(gate[i]! > 0) ? 0 : activationRef(v, plan.activation, plan.param))) };
}

/**
 * Σ_k |op(A)_ik · op(B)_kj| + |bias_j| per output (before the activation): the scale of the rounding error
 * of the f32 dot product, which any order of summation keeps within γ_{K+1} = (K+1)u/(1 − (K+1)u) of it
 * (u = 2⁻²⁴; Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
 */
export function matmulErrorScale(a: RefTensor, b: RefTensor, opts: MatmulRefOptions = {}): RefTensor {
  return contract(a, b, opts, refPlan(a, b, opts), (x, y) => Math.abs(x * y), Math.abs);
}
