import { beforeAll, describe, expect, it } from 'vitest';
import {
  add, ArgumentError, avgPool2d, batchNorm, bceWithLogits, conv2d, crossEntropy, div, dropout, elu, exp, flatten, gelu, globalAvgPool2d,
  gradCheck, isGradEnabled, l2Penalty, leakyRelu, Linear, log, logSoftmax, matmul, maxout, maxPool2d, mean, mseLoss, mul, neg, noGrad, ops,
  permute, pow, relu, reshape, seed, Sequential, sigmoid, softmax, sqrt, sub, sum, Tanh, tanh, tensor, tidy, transpose,
  type Activation, type Runtime, type Tensor,
} from '../../src/index.js';
import { needsGrad, record } from '../../src/autograd.js';
import { refActivation, refLogSoftmax, refMaxout, refSoftmax } from '../../src/reference/activation.js';
import { refBatchNormEval, refBatchNormTrain } from '../../src/reference/batchnorm.js';
import { conv2dRef, type Conv2dRefOptions } from '../../src/reference/conv.js';
import { refDropout } from '../../src/reference/dropout.js';
import { refBinary, refUnary, type RefBinaryOp } from '../../src/reference/elementwise.js';
import { refBceWithLogits, refL2Penalty, refMse, refSoftmaxCrossEntropy, type RefReduction } from '../../src/reference/loss.js';
import { matmulRef } from '../../src/reference/matmul.js';
import { refAvgPool2d, refGlobalAvgPool2d, refMaxPool2d, type RefPool2dOptions } from '../../src/reference/pool.js';
import { refMean, refSum } from '../../src/reference/reduce.js';
import type { RefTensor } from '../../src/reference/ref-tensor.js';
import { refPermute, refTranspose } from '../../src/reference/transpose.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { centralDifferences } from '../helpers/finite-diff.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const rng = new Rng();

interface Input {
  shape: readonly number[];
  data: Float32Array;
}

const input = (shape: readonly number[], lo = -2, hi = 2): Input => ({ shape, data: rng.uniform(shape.reduce((a, d) => a * d, 1), lo, hi) });
/** Values in (0.5, 2): for log, sqrt, fractional powers. */
const positive = (shape: readonly number[]): Input => input(shape, 0.5, 2);
/** |v| in (0.5, 2) with random sign: divisors. */
function awayFromZero(shape: readonly number[]): Input {
  const x = positive(shape);
  x.data.forEach((v, i) => (x.data[i] = rng.next() < 0.5 ? -v : v));
  return x;
}

const toRef = (x: Input): RefTensor => ({ shape: [...x.shape], data: Float64Array.from(x.data) });

interface CheckOptions {
  /** The op's output is the loss itself (a scalar): backward() from it, with the implicit unit gradient. */
  root?: boolean;
}

/**
 * Checks every input's gradient of L = Σ op(inputs)·R (a fixed random R, so every output element
 * matters) computed by backward() on the GPU against central differences of the float64 reference.
 *
 * Bound ‖gpu − fd‖∞ ≤ 1e-3·‖fd‖∞ + 1e-6: the GPU computes forward and backward in f32 (unit roundoff
 * 6e-8, grown by sums of up to a few hundred terms and the f32 exp/tanh/erf approximations) while the
 * float64 differences with h = 1e-6 are good to ~1e-9 (truncation h²·f‴ ≈ 1e-12, cancellation
 * 1e-16·|L|/h ≈ 1e-10). The 1e-6 floor is for tensors whose gradient is all zero.
 */
async function checkGrads(
  what: string, inputs: readonly Input[], op: (...xs: Tensor[]) => Tensor, reference: (...xs: RefTensor[]) => RefTensor, opts: CheckOptions = {},
): Promise<void> {
  const refs = inputs.map(toRef);
  const out = reference(...refs);
  if (opts.root && out.data.length !== 1) throw new Error(`${what}: a root loss must be a scalar`);
  const r = opts.root ? Float32Array.of(1) : rng.uniform(out.data.length);
  const leaves = inputs.map((x) => tensor(x.data, x.shape).requireGrad());
  tidy(() => {
    const y = op(...leaves);
    expect(y.shape, `${what}: output shape`).toEqual(out.shape);
    const loss = opts.root ? y : sum(mul(y, tensor(r, y.shape)));
    loss.backward();
    return null;
  });
  const lossOf = () => reference(...refs).data.reduce((s, v, i) => s + v * r[i]!, 0);
  for (const [k, leaf] of leaves.entries()) {
    const fd = centralDifferences(lossOf, refs[k]!.data);
    const scale = fd.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(leaf.grad, `${what}: input ${k} got no gradient`).not.toBeNull();
    expectClose(await leaf.grad!.toArray(), fd, { rtol: 0, atol: 1e-3 * scale + 1e-6 }, `${what}: dL/d input ${k}`);
    leaf.grad!.dispose();
    leaf.dispose();
  }
}

describe('elementwise gradients', () => {
  const binary: { op: RefBinaryOp; f: (a: Tensor | number, b: Tensor | number) => Tensor }[] = [
    { op: 'add', f: add }, { op: 'sub', f: sub }, { op: 'mul', f: mul }, { op: 'div', f: div },
  ];
  const shapes: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[3, 1], [2, 3, 4]], [[2, 1, 3], [4, 1]]];

  for (const { op, f } of binary) {
    it(`${op}: same shape and broadcasting either operand or both`, async () => {
      for (const [sa, sb] of shapes) {
        await checkGrads(`${op} [${sa}] [${sb}]`, [input(sa), awayFromZero(sb)], (a, b) => f(a!, b!), (a, b) => refBinary(op, a!, b!));
      }
    });

    it(`${op}: with a number on either side`, async () => {
      await checkGrads(`${op}(x, 1.7)`, [awayFromZero([2, 3])], (x) => f(x!, 1.7), (x) => refBinary(op, x!, 1.7));
      await checkGrads(`${op}(-0.6, x)`, [awayFromZero([2, 3])], (x) => f(-0.6, x!), (x) => refBinary(op, -0.6, x!));
    });
  }

  it('pow with integer, negative and fractional exponents', async () => {
    for (const p of [3, -1, 2.5, -0.5]) {
      await checkGrads(`pow ${p}`, [positive([2, 5])], (x) => pow(x!, p), (x) => refBinary('pow', x!, p));
    }
  });

  it('neg, exp, log, sqrt, relu, sigmoid, tanh', async () => {
    const unary = [
      { name: 'neg', f: neg, x: input([3, 4]) }, { name: 'exp', f: exp, x: input([3, 4]) }, { name: 'log', f: log, x: positive([3, 4]) },
      { name: 'sqrt', f: sqrt, x: positive([3, 4]) }, { name: 'relu', f: relu, x: input([3, 4]) }, { name: 'sigmoid', f: sigmoid, x: input([3, 4]) },
      { name: 'tanh', f: tanh, x: input([3, 4]) },
    ] as const;
    for (const { name, f, x } of unary) await checkGrads(name, [x], (t) => f(t!), (t) => refUnary(name, t!));
  });

  it('leakyRelu, elu, gelu (exact and tanh)', async () => {
    await checkGrads('leakyRelu', [input([3, 5])], (x) => leakyRelu(x!, 0.2), (x) => refActivation('leakyRelu', x!, { slope: 0.2 }));
    await checkGrads('elu', [input([3, 5])], (x) => elu(x!, 0.7), (x) => refActivation('elu', x!, { alpha: 0.7 }));
    await checkGrads('gelu', [input([3, 5], -4, 4)], (x) => gelu(x!), (x) => refActivation('gelu', x!));
    await checkGrads('gelu tanh', [input([3, 5], -4, 4)], (x) => gelu(x!, 'tanh'), (x) => refActivation('geluTanh', x!));
  });

  it('softmax, logSoftmax and maxout', async () => {
    await checkGrads('softmax', [input([3, 5])], (x) => softmax(x!), (x) => refSoftmax(x!));
    await checkGrads('logSoftmax', [input([2, 2, 7])], (x) => logSoftmax(x!), (x) => refLogSoftmax(x!));
    await checkGrads('maxout', [input([2, 12])], (x) => maxout(x!, 3), (x) => refMaxout(x!, 3));
  });
});

describe('reduction and shape gradients', () => {
  const axisSets: (number | number[] | undefined)[] = [undefined, 0, 1, -1, [0, 2], [0, 1, 2]];

  for (const keepDims of [false, true]) {
    it(`sum and mean over several axis sets, keepDims ${keepDims}`, async () => {
      for (const axes of axisSets) {
        await checkGrads(`sum ${axes}`, [input([2, 3, 4])], (x) => sum(x!, axes, keepDims), (x) => refSum(x!, axes, keepDims));
        await checkGrads(`mean ${axes}`, [input([2, 3, 4])], (x) => mean(x!, axes, keepDims), (x) => refMean(x!, axes, keepDims));
      }
    });
  }

  it('reshape, flatten, permute, transpose', async () => {
    const as = (x: RefTensor, shape: number[]): RefTensor => ({ shape, data: x.data });
    await checkGrads('reshape', [input([2, 3, 4])], (x) => reshape(x!, [4, -1]), (x) => as(x!, [4, 6]));
    await checkGrads('flatten', [input([2, 3, 2, 2])], (x) => flatten(x!), (x) => as(x!, [2, 12]));
    await checkGrads('flatten 2', [input([2, 3, 2, 2])], (x) => flatten(x!, 2), (x) => as(x!, [2, 3, 4]));
    await checkGrads('permute', [input([2, 3, 4])], (x) => permute(x!, [2, 0, 1]), (x) => refPermute(x!, [2, 0, 1]));
    await checkGrads('transpose', [input([2, 3, 4])], (x) => transpose(x!), (x) => refTranspose(x!));
    await checkGrads('transpose 0 2', [input([2, 3, 4])], (x) => transpose(x!, 0, 2), (x) => refTranspose(x!, 0, 2));
  });
});

describe('matmul gradients', () => {
  it('every transposeA/transposeB combination', async () => {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = input(transposeA ? [4, 3] : [3, 4]), b = input(transposeB ? [5, 4] : [4, 5]);
        await checkGrads(`matmul tA ${transposeA} tB ${transposeB}`, [a, b], (x, y) => matmul(x!, y!, { transposeA, transposeB }), (x, y) => matmulRef(x!, y!, { transposeA, transposeB }));
      }
    }
  });

  it('batched and broadcast batches (the broadcast operand sums its gradient over the batch)', async () => {
    const cases: [number[], number[], boolean][] = [
      [[2, 3, 4], [2, 4, 5], false], [[3, 4], [2, 4, 5], false], [[2, 3, 4], [5, 4], true], [[2, 1, 3, 4], [3, 4, 2], false],
    ];
    for (const [sa, sb, transposeB] of cases) {
      await checkGrads(`matmul [${sa}] [${sb}]`, [input(sa), input(sb)], (x, y) => matmul(x!, y!, { transposeB }), (x, y) => matmulRef(x!, y!, { transposeB }));
    }
  });

  it('refuses sumBatch with gradients (it has no backward rule) and runs it without them', async () => {
    const a = tensor(new Float32Array(2 * 3 * 4).fill(1), [2, 3, 4]).requireGrad(), b = tensor(new Float32Array(4 * 5).fill(1), [4, 5]);
    expect(() => matmul(a, b, { sumBatch: 2 })).toThrow(/matmul: sumBatch has no backward rule/);
    const summed = noGrad(() => matmul(a, b, { sumBatch: 2 }));
    expect(summed.shape).toEqual([1, 3, 5]);
    expectEqual(await summed.toArray(), new Float32Array(15).fill(8), 'two batch entries of 4-term dot products of ones');
    for (const t of [a, b, summed]) t.dispose();
  });

  it('bias (batched too) and every epilogue activation', async () => {
    const epilogues: { activation: Activation; slope?: number; alpha?: number }[] = [
      { activation: 'none' }, { activation: 'relu' }, { activation: 'sigmoid' }, { activation: 'tanh' }, { activation: 'leakyRelu' },
      { activation: 'leakyRelu', slope: 0.2 }, { activation: 'elu', alpha: 0.7 }, { activation: 'gelu' },
    ];
    for (const e of epilogues) {
      for (const sa of [[3, 4], [2, 3, 4]]) {
        await checkGrads(
          `matmul [${sa}] + bias, ${JSON.stringify(e)}`, [input(sa), input([5, 4]), input([5])],
          (a, b, bias) => matmul(a!, b!, { ...e, transposeB: true, bias }), (a, b, bias) => matmulRef(a!, b!, { ...e, transposeB: true, bias }),
        );
      }
    }
  });
});

describe('conv and pooling gradients', () => {
  it('conv2d with stride, padding, dilation, groups, bias and epilogues', async () => {
    const cases: { x: number[]; w: number[]; bias?: boolean; opts: Omit<Conv2dRefOptions, 'bias'> }[] = [
      { x: [2, 3, 5, 5], w: [4, 3, 3, 3], opts: { stride: 2, padding: 1 } },
      { x: [1, 4, 6, 7], w: [4, 2, 3, 2], opts: { dilation: 2, groups: 2, padding: [1, 2] } },
      { x: [2, 2, 5, 5], w: [3, 2, 3, 3], bias: true, opts: { padding: 1, activation: 'relu' } },
      { x: [2, 2, 4, 4], w: [3, 2, 2, 2], bias: true, opts: { stride: [1, 2], activation: 'leakyRelu', slope: 0.2 } },
    ];
    for (const c of cases) {
      const inputs = [input(c.x), input(c.w), ...(c.bias ? [input([c.w[0]!])] : [])];
      await checkGrads(
        `conv2d ${JSON.stringify(c)}`, inputs,
        (x, w, bias) => conv2d(x!, w!, { ...c.opts, bias }), (x, w, bias) => conv2dRef(x!, w!, { ...c.opts, bias }),
      );
    }
  });

  it("a ReLU's backward fused into its consumer (matmul, max pool): same gradients, no activation kernel", async () => {
    const reluRef = (t: RefTensor) => refActivation('relu', t);
    const kernels: string[] = [];
    const cases: { what: string; inputs: Input[]; op: (...xs: Tensor[]) => Tensor; ref: (...xs: RefTensor[]) => RefTensor; masks: number }[] = [
      {
        what: 'relu epilogue → matmul', inputs: [input([5, 6]), input([6, 7]), input([7, 3])], masks: 0,
        op: (x, w1, w2) => matmul(matmul(x!, w1!, { activation: 'relu' }), w2!),
        ref: (x, w1, w2) => matmulRef(matmulRef(x!, w1!, { activation: 'relu' }), w2!),
      },
      {
        what: 'relu epilogue → matmul reading it transposed', inputs: [input([5, 6]), input([6, 7]), input([5, 3])], masks: 0,
        op: (x, w1, w2) => matmul(matmul(x!, w1!, { activation: 'relu' }), w2!, { transposeA: true }),
        ref: (x, w1, w2) => matmulRef(matmulRef(x!, w1!, { activation: 'relu' }), w2!, { transposeA: true }),
      },
      {
        // Two consumers each mask their share; their sum loses the mark and is masked once more (idempotent).
        what: 'relu output read by two matmuls', inputs: [input([4, 6]), input([6, 5]), input([5, 3]), input([5, 3])], masks: 1,
        op: (x, w1, w2, w3) => { const h = relu(matmul(x!, w1!)); return add(matmul(h, w2!), matmul(h, w3!)); },
        ref: (x, w1, w2, w3) => { const h = reluRef(matmulRef(x!, w1!)); return refBinary('add', matmulRef(h, w2!), matmulRef(h, w3!)); },
      },
      {
        // The consumer's gradient for a broadcast operand is reduced over the batch: no gate, the ReLU masks.
        what: 'broadcast relu output → batched matmul', inputs: [input([1, 4, 5]), input([3, 5, 2])], masks: 1,
        op: (x, w) => matmul(relu(x!), w!),
        ref: (x, w) => matmulRef(reluRef(x!), w!),
      },
      {
        what: 'conv with relu epilogue → max pool', inputs: [input([2, 2, 6, 6]), input([3, 2, 3, 3])], masks: 0,
        op: (x, w) => maxPool2d(conv2d(x!, w!, { padding: 1, activation: 'relu' }), { kernelSize: 2 }),
        ref: (x, w) => refMaxPool2d(conv2dRef(x!, w!, { padding: 1, activation: 'relu' }), { kernelSize: 2 }).y,
      },
    ];
    for (const c of cases) {
      kernels.length = 0;
      const dispatch = rt.dispatch;
      rt.dispatch = function (this: Runtime, args) {
        kernels.push(args.kernel.name);
        dispatch.call(this, args);
      };
      try {
        await checkGrads(c.what, c.inputs, c.op, c.ref);
      } finally {
        rt.dispatch = dispatch;
      }
      // ReLU forwards run in the unary kernel or an epilogue; only a ReLU backward uses the activation kernel.
      expect(kernels.filter((k) => k === 'activation').length, `${c.what}: ReLU backward dispatches`).toBe(c.masks);
    }
  });

  it('maxPool2d and avgPool2d with and without padding', async () => {
    const pools: RefPool2dOptions[] = [{ kernelSize: 2 }, { kernelSize: 3, stride: 2, padding: 1 }, { kernelSize: [2, 3], stride: [1, 2] }];
    for (const opts of pools) {
      await checkGrads(`maxPool2d ${JSON.stringify(opts)}`, [input([2, 2, 5, 5])], (x) => maxPool2d(x!, opts), (x) => refMaxPool2d(x!, opts).y);
      for (const countIncludePad of [true, false]) {
        const o = { ...opts, countIncludePad };
        await checkGrads(`avgPool2d ${JSON.stringify(o)}`, [input([2, 2, 5, 5])], (x) => avgPool2d(x!, o), (x) => refAvgPool2d(x!, o));
      }
    }
  });

  it('globalAvgPool2d with and without keepDims', async () => {
    for (const keepDims of [true, false]) {
      await checkGrads(`globalAvgPool2d ${keepDims}`, [input([2, 3, 3, 4])], (x) => globalAvgPool2d(x!, keepDims), (x) => refGlobalAvgPool2d(x!, keepDims));
    }
  });
});

describe('batchNorm and dropout gradients', () => {
  const bnCases = [
    { shape: [4, 3, 2, 2], affine: true, relu: false }, { shape: [4, 3, 2, 2], affine: false, relu: false },
    { shape: [4, 3, 2, 2], affine: true, relu: true }, { shape: [6, 3], affine: true, relu: false },
  ];

  it('training mode (batch statistics), with and without affine and ReLU', async () => {
    for (const { shape, affine, relu: withRelu } of bnCases) {
      const c = shape[1]!;
      const inputs = [input(shape), ...(affine ? [input([c]), input([c])] : [])];
      await checkGrads(
        `batchNorm train ${JSON.stringify({ shape, affine, withRelu })}`, inputs,
        (x, g, b) => batchNorm(x!, g ?? null, b ?? null, null, null, { training: true, relu: withRelu }),
        (x, g, b) => refBatchNormTrain(x!, g ?? null, b ?? null, null, null, { relu: withRelu }).y,
      );
    }
  });

  it('eval mode (running statistics: fine-tuning gradients), with and without affine and ReLU', async () => {
    for (const { shape, affine, relu: withRelu } of bnCases) {
      const c = shape[1]!;
      const rm = input([c]), rv = positive([c]);
      const inputs = [input(shape), ...(affine ? [input([c]), input([c])] : [])];
      await checkGrads(
        `batchNorm eval ${JSON.stringify({ shape, affine, withRelu })}`, inputs,
        (x, g, b) => batchNorm(x!, g ?? null, b ?? null, tensor(rm.data), tensor(rv.data), { training: false, relu: withRelu }),
        (x, g, b) => refBatchNormEval(x!, g ?? null, b ?? null, toRef(rm), toRef(rv), { relu: withRelu }),
      );
    }
  });

  it('dropout: the backward applies the reference mask of (seed, step)', async () => {
    const opts = { p: 0.3, seed: 1234, step: 5 };
    await checkGrads('dropout', [input([3, 7])], (x) => dropout(x!, opts), (x) => refDropout(x!, opts));
  });
});

describe('loss gradients', () => {
  const labels = Int32Array.of(0, 4, 2, 4);

  it('crossEntropy: mean, sum and none, with and without label smoothing', async () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const labelSmoothing of [0, 0.1]) {
        const o = { reduction, labelSmoothing };
        await checkGrads(`crossEntropy ${JSON.stringify(o)}`, [input([4, 5])], (z) => crossEntropy(z!, labels, o), (z) => refSoftmaxCrossEntropy(z!, labels, o));
      }
    }
  });

  it('crossEntropy as the root of backward() (the fused gradient, unscaled)', async () => {
    for (const reduction of ['mean', 'sum'] as const) {
      await checkGrads(`crossEntropy root ${reduction}`, [input([4, 5])], (z) => crossEntropy(z!, labels, { reduction }), (z) => refSoftmaxCrossEntropy(z!, labels, { reduction }), { root: true });
    }
  });

  it('bceWithLogits and mseLoss: mean, sum and none', async () => {
    const probs = input([3, 4], 0, 1), targets = input([3, 4]);
    for (const reduction of ['mean', 'sum', 'none'] as RefReduction[]) {
      await checkGrads(`bce ${reduction}`, [input([3, 4], -4, 4)], (z) => bceWithLogits(z!, tensor(probs.data, probs.shape), { reduction }), (z) => refBceWithLogits(z!, toRef(probs), { reduction }));
      await checkGrads(`mse ${reduction}`, [input([3, 4])], (p) => mseLoss(p!, tensor(targets.data, targets.shape), { reduction }), (p) => refMse(p!, toRef(targets), { reduction }));
    }
    await checkGrads('mse root', [input([3, 4])], (p) => mseLoss(p!, tensor(targets.data, targets.shape)), (p) => refMse(p!, toRef(targets)), { root: true });
  });

  it('l2Penalty over several parameters', async () => {
    await checkGrads('l2Penalty', [input([3, 4]), input([5])], (a, b) => l2Penalty([a!, b!], 0.05), (a, b) => refL2Penalty([a!, b!], 0.05));
  });
});

describe('the tape', () => {
  it('sums the gradients of a tensor used several times (x·x + x)', async () => {
    await checkGrads('x·x + x', [input([2, 3])], (x) => add(mul(x!, x!), x!), (x) => refBinary('add', refBinary('mul', x!, x!), x!));
  });

  it('accumulates .grad across backward() calls, like PyTorch', async () => {
    const xs = input([5]);
    const x = tensor(xs.data).requireGrad();
    tidy(() => {
      sum(mul(x, 3)).backward();
      sum(mul(x, x)).backward();
      return null;
    });
    // d(3x)/dx + d(x²)/dx = 3 + 2x, exact in f32 up to one rounding.
    expectClose(await x.grad!.toArray(), Array.from(xs.data, (v) => 3 + 2 * v), { rtol: 1e-6 }, 'accumulated grad');
    x.grad!.dispose();
    x.dispose();
  });

  it('backward(grad) takes an explicit upstream gradient for a non-scalar output', async () => {
    const xs = input([2, 3]), gs = input([2, 3]);
    const x = tensor(xs.data, xs.shape).requireGrad();
    tidy(() => {
      mul(x, x).backward(tensor(gs.data, gs.shape));
      return null;
    });
    expectClose(await x.grad!.toArray(), Array.from(xs.data, (v, i) => 2 * v * gs.data[i]!), { rtol: 1e-6 }, 'dx');
    x.grad!.dispose();
    x.dispose();
  });

  it('records nothing under noGrad', () => {
    const x = tensor(input([4]).data).requireGrad();
    tidy(() => {
      const y = noGrad(() => {
        expect(isGradEnabled()).toBe(false);
        return exp(mul(x, x));
      });
      expect(isGradEnabled()).toBe(true);
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBeNull();
      expect(() => sum(y).backward()).toThrow(ArgumentError);
      return null;
    });
    expect(x.grad).toBeNull();
    x.dispose();
  });

  it('stops gradients at detach()', async () => {
    const xs = input([2, 3]);
    const x = tensor(xs.data, xs.shape).requireGrad();
    tidy(() => {
      sum(mul(x.detach(), x)).backward();
      return null;
    });
    // x is a constant on the left: d/dx Σ c·x = c = x, not the 2x of x·x.
    expectClose(await x.grad!.toArray(), xs.data, { rtol: 1e-6 }, 'dx');
    x.grad!.dispose();
    x.dispose();
  });

  it('throws, leaking nothing, for backward() without grad on a non-scalar, on a tensor that does not require grad and through a freed graph', async () => {
    const x = tensor(input([2, 3]).data, [2, 3]).requireGrad();
    const c = sum(tensor([1, 2, 3]));
    const y = mul(x, 2), h = exp(x), loss = sum(h);
    const before = rt.memory().inUseBuffers;
    expect(() => y.backward()).toThrow(/one-element output/);
    expect(() => c.backward()).toThrow(/does not require grad/);
    expect(rt.memory().inUseBuffers).toBe(before);
    expect(x.grad).toBeNull();

    loss.backward();
    const once = await x.grad!.toArray();
    // Both reach the walked nodes of `loss`; without the check h would pass for a leaf and x get nothing.
    expect(() => loss.backward()).toThrow(/already freed/);
    const again = sum(mul(h, 2));
    expect(() => again.backward()).toThrow(/already freed/);
    expectEqual(await x.grad!.toArray(), once, 'x.grad after the refused backward() calls');
    for (const t of [x.grad!, x, c, y, h, loss, again]) t.dispose();
  });

  it('frees the gradients it computes on the way (no tidy: the caller disposes what it holds)', () => {
    const x = tensor(input([2, 3]).data, [2, 3]).requireGrad(), b = tensor(input([3]).data).requireGrad();
    const before = rt.memory().inUseBuffers;
    const xx = mul(x, x), y = add(xx, b), e = exp(y), loss = mean(e);
    loss.backward();
    for (const t of [xx, y, e, loss, x.grad!, b.grad!]) t.dispose();
    expect(rt.memory().inUseBuffers).toBe(before);
    x.dispose();
    b.dispose();
  });

  it('frees every intermediate after backward inside tidy (only the leaves’ .grad stay)', async () => {
    const leaves = [input([3, 2, 3, 3]), input([3]), input([3]), input([3]), input([4, 12]), input([4])].map((v) => tensor(v.data, v.shape).requireGrad());
    const [w, cb, gamma, beta, w2, b2] = leaves as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const x = tensor(input([2, 2, 5, 5]).data, [2, 2, 5, 5]);
    const before = rt.memory().inUseBuffers;
    tidy(() => {
      const h = conv2d(x, w, { bias: cb, padding: 1, activation: 'relu' });
      const p = maxPool2d(h, { kernelSize: 2 });
      const n = batchNorm(p, gamma, beta, null, null, { training: true, relu: true });
      const logits = matmul(flatten(n), w2, { transposeB: true, bias: b2, activation: 'elu' });
      add(crossEntropy(logits, [1, 3]), l2Penalty([w, w2], 1e-3)).backward();
      return null;
    });
    for (const t of leaves) {
      expect(t.grad).not.toBeNull();
      t.grad!.dispose();
    }
    expect(rt.memory().inUseBuffers).toBe(before);
    x.dispose();
    for (const t of leaves) t.dispose();
  });
});

describe('gradCheck', () => {
  /** A custom op whose rule returns 2× the true gradient of x², the kind of bug gradCheck exists for. */
  function wrongSquare(x: Tensor): Tensor {
    const y = ops.mul(x, x);
    return needsGrad(x) ? record(y, 'wrongSquare', [x], (g) => [ops.mul(ops.mul(g, x), 4)]) : y;
  }

  it('passes a small tanh MLP, restoring its parameters and leaving .grad alone', async () => {
    // Fixed weights and data: an entry whose gradient happens to be ~1e-4 gets a relative error of a few
    // percent from f32 rounding alone (see gradCheck's docs), so the maximum depends on the draw; with
    // these every sampled gradient is above 8e-3 and the maximum is ~6e-4, far from the bound.
    seed(8);
    const model = new Sequential(new Linear(4, 6), new Tanh(), new Linear(6, 3));
    const x = tensor(new Rng(8).normal(5 * 4), [5, 4]);
    const labels = Int32Array.of(0, 2, 1, 1, 0);
    const params = model.parameters();
    const before = await Promise.all(params.map((p) => p.toArray()));
    const result = await gradCheck(() => crossEntropy(model.forward(x), labels), params, { samples: 10, seed: 1 });
    // 10 of the 24 and 18 weights, all 6 and 3 biases.
    expect(result.entries.map((e) => e.param)).toEqual([...Array(10).fill(0), ...Array(6).fill(1), ...Array(10).fill(2), ...Array(3).fill(3)]);
    // f32 differences with ε = 1e-2 on a kink-free net: the documented "below 1e-2 is fine".
    expect(result.maxRelError, JSON.stringify(result.entries)).toBeLessThan(1e-2);
    for (const [i, p] of params.entries()) {
      expect(await p.toArray(), `param ${i} restored`).toEqual(before[i]);
      expect(p.grad).toBeNull();
    }
    x.dispose();
  });

  it('detects a backward rule that returns twice the gradient', async () => {
    const w = tensor(awayFromZero([3, 4]).data, [3, 4]).requireGrad();
    const c = tensor(awayFromZero([3, 4]).data, [3, 4]);
    const result = await gradCheck(() => sum(mul(wrongSquare(w), c)), [w], { samples: 5 });
    expect(result.entries).toHaveLength(5);
    // analytic = 2·numeric gives |a − n| / |a| = 1/2 on every entry.
    for (const e of result.entries) expect(e.relError).toBeCloseTo(0.5, 2);
    expect(result.maxRelError).toBeGreaterThan(0.4);
    w.dispose();
    c.dispose();
  });
});
