import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ops, type Runtime, tensor, type Tensor } from '../../src/index.js';
import type { ActivationKind } from '../../src/ops/activation.js';
import type { Activation } from '../../kernels/matmul.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';

// NaN and ±Inf through every activation (standalone, backward, fused matmul/conv epilogue), the unary
// builtins with backend-defined edges, softmax and cross-entropy, against PyTorch 1.13's values
// (tests/fixtures/torch-nonfinite.json, written by scripts/make-nonfinite-fixture.py).
type Enc = number | string;
const decode = (v: Enc): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);
const vec = (a: readonly Enc[]) => a.map(decode);
const golden = JSON.parse(readFileSync(new URL('../fixtures/torch-nonfinite.json', import.meta.url), 'utf8')) as {
  x: Enc[];
  activations: Record<string, { y: Enc[]; dx: Enc[]; dxInf: Enc[] }>;
  unaryX: Enc[];
  unary: Record<string, Enc[]>;
  softmax: { x: Enc[][]; y: Enc[][]; logY: Enc[][] };
  crossEntropy: { logits: Enc[]; label: number; smoothing: number; loss: Enc; grad: Enc[] }[];
};

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

const f32 = (values: readonly number[], shape: readonly number[] = [values.length]) => tensor(Float32Array.from(values), shape, 'f32', rt);
const read = async (t: Tensor) => Array.from(await t.toArray());
// f32 formulas against PyTorch's f32 results: a few ulp, and denormals may flush to zero.
const TOL = { rtol: 2e-6, atol: 1e-30 };

/** name in the fixture → the standalone kind and options, and the matmul epilogue's name (if it has one). */
const KINDS: Record<string, { kind: ActivationKind; opts?: ops.ActivationOptions; epilogue?: Activation }> = {
  sigmoid: { kind: 'sigmoid', epilogue: 'sigmoid' },
  tanh: { kind: 'tanh', epilogue: 'tanh' },
  relu: { kind: 'relu', epilogue: 'relu' },
  leakyRelu: { kind: 'leakyRelu', opts: { slope: 0.01 }, epilogue: 'leakyRelu' },
  elu: { kind: 'elu', opts: { alpha: 1 }, epilogue: 'elu' },
  gelu: { kind: 'gelu' },
  geluTanh: { kind: 'gelu', opts: { approximate: 'tanh' }, epilogue: 'gelu' },
};

describe('NaN and ±Inf like PyTorch', () => {
  const x = vec(golden.x);

  it('every activation, forward and backward (dy = 1 and dy = ∞), standalone', async () => {
    for (const [name, { kind, opts }] of Object.entries(KINDS)) {
      const g = golden.activations[name]!;
      const xt = f32(x);
      const y = ops.activation(kind, xt, opts);
      expectClose(await read(y), vec(g.y), TOL, `${name} forward`);
      const saved = ops.ACTIVATION_BACKWARD_INPUT[kind] === 'y' ? y : xt;
      for (const [dy, want] of [[1, g.dx], [Infinity, g.dxInf]] as const) {
        const dx = ops.activationBackward(kind, f32(x.map(() => dy)), saved, opts);
        expectClose(await read(dx), vec(want), TOL, `${name} backward, dy = ${dy}`);
      }
    }
  });

  it('the matmul and conv epilogues give what the standalone activations give', async () => {
    // x·[1] + 0 is x exactly, so the epilogue sees the fixture's inputs.
    const a = f32(x, [x.length, 1]), one = f32([1], [1, 1]), zero = f32([0]);
    const img = f32(x, [1, 1, 1, x.length]), w = f32([1], [1, 1, 1, 1]);
    for (const [name, { epilogue, opts }] of Object.entries(KINDS)) {
      if (!epilogue) continue;
      const want = vec(golden.activations[name]!.y);
      const param = { slope: opts?.slope, alpha: opts?.alpha };
      expectClose(await read(ops.matmul(a, one, { activation: epilogue, ...param })), want, TOL, `matmul epilogue ${name}`);
      if (name === 'relu') expectClose(await read(ops.matmul(a, one, { activation: epilogue, bias: zero })), want, TOL, 'matmul epilogue relu with bias');
      expectClose(await read(ops.conv2d(img, w, { activation: epilogue, ...param })), want, TOL, `conv epilogue ${name}`);
    }
  });

  it("ReLU's fused backward gate passes dy where y is NaN and gives 0 (not ∞·0) where y ≤ 0", async () => {
    const y = f32([NaN, 0, -0, 2, -1]);
    const dy = f32([3, Infinity, Infinity, 5, Infinity], [5, 1]);
    expectClose(await read(ops.matmul(dy, f32([1], [1, 1]), { gate: y.reshape([5, 1]) })), [3, 0, 0, 5, 0], TOL, 'gated matmul');
  });

  it("BatchNorm's fused ReLU passes NaN and ±Inf like ReLU after BatchNorm", async () => {
    // Eval mode with mean 0, var 1 − ε: y = x, so the fused ReLU sees x itself.
    const xs = [NaN, Infinity, -Infinity, -2, 3];
    const xt = f32(xs, [5, 1]);
    const y = ops.batchNormEval(xt, null, null, f32([0]), f32([1 - 1e-5]), { relu: true });
    expectClose(await read(y), [NaN, Infinity, 0, 0, 3], TOL, 'batchNormEval relu');
  });

  it('BCE with logits: NaN in a logit or a target gives NaN loss and gradient; infinite logits as PyTorch', async () => {
    // PyTorch 1.13 (binary_cross_entropy_with_logits, reduction 'none'): loss [nan, nan, inf, nan, nan, nan],
    // grad [nan, nan, 1, 0, 0, −1]. The last loss differs on purpose: z = −Inf with y = 1 is +Inf (−y·z), where
    // PyTorch's log(e^{−m} + e^{−z−m}) form computes inf − inf.
    const z = f32([NaN, 0.5, Infinity, -Infinity, Infinity, -Infinity]), y = f32([1, NaN, 0, 0, 1, 1]);
    const r = ops.bceWithLogits(z, y, { reduction: 'none' });
    expectClose(await read(r.loss), [NaN, NaN, Infinity, NaN, NaN, Infinity], TOL, 'bce loss');
    expectClose(await read(r.grad!), [NaN, NaN, 1, 0, 0, -1], TOL, 'bce grad');
  });

  it('unary builtins at their edges (log(0) = −∞, log(x < 0) = NaN, …), scalar and vec4 paths', async () => {
    const ux = vec(golden.unaryX);
    for (const [name, want] of Object.entries(golden.unary)) {
      const f = (ops as unknown as Record<string, (t: Tensor) => Tensor>)[name]!;
      // 9 values run the scalar kernel, the first 8 the vec4 one.
      expectClose(await read(f(f32(ux))), vec(want), { rtol: 2e-6, atol: 1e-6 }, `${name} (scalar)`);
      expectClose(await read(f(f32(ux.slice(0, 8)))), vec(want).slice(0, 8), { rtol: 2e-6, atol: 1e-6 }, `${name} (vec4)`);
    }
  });

  it('softmax and log-softmax: a row with NaN or +Inf is all NaN, −Inf entries give 0 / −Inf', async () => {
    const rows = golden.softmax.x.map(vec);
    const t = f32(rows.flat(), [rows.length, 3]);
    expectClose(await read(ops.softmax(t)), golden.softmax.y.flatMap(vec), TOL, 'softmax');
    expectClose(await read(ops.logSoftmax(t)), golden.softmax.logY.flatMap(vec), TOL, 'logSoftmax');
    // Long rows take the workgroup-per-row kernel.
    const long = Array.from({ length: 300 }, (_, i) => (i % 7) / 7);
    long[123] = NaN;
    expect((await read(ops.softmax(f32(long, [1, 300])))).every(Number.isNaN)).toBe(true);
  });

  it('cross-entropy with −Inf, huge and non-finite logits, forward and backward', async () => {
    for (const c of golden.crossEntropy) {
      const what = `logits [${c.logits.join(', ')}] label ${c.label} ε = ${c.smoothing}`;
      const r = ops.softmaxCrossEntropy(f32(vec(c.logits), [1, 3]), [c.label], { labelSmoothing: c.smoothing });
      let loss = decode(c.loss);
      // PyTorch sums the smoothing term's log-probabilities in f32 and overflows (−3e38·2); the true value,
      // ε·(m − mean z) = 0.1 · 2e38, is finite and that is what the kernel computes.
      if (c.smoothing > 0 && c.logits[1] === -3e38) loss = 0.1 * 2e38;
      expectClose([await r.loss.item()], [loss], { rtol: 1e-6, atol: 1e-7 }, `${what}: loss`);
      expectClose(await read(r.grad!), vec(c.grad), { rtol: 1e-6, atol: 1e-7 }, `${what}: grad`);
    }
  });
});
