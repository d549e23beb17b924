import { beforeAll, describe, expect, it } from 'vitest';
import {
  activationStats, ArgumentError, Conv2d, fit, Flatten, InMemoryDataset, Linear, LogSoftmax, logSoftmax, mul, ops, ReLU, type Runtime,
  SGD, seed, Sequential, Softmax, softmax, sum, Tanh, tensor,
} from '../../src/index.js';
import { refLogSoftmax, refLogSoftmaxBackward, refSoftmax, refSoftmaxBackward } from '../../src/reference/activation.js';
import { expectClose } from '../helpers/compare.js';
import { centralDifferences } from '../helpers/finite-diff.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function stats(v: ArrayLike<number>): { mean: number; std: number } {
  let m = 0, sq = 0;
  for (let i = 0; i < v.length; i++) {
    m += v[i]!;
    sq += v[i]! * v[i]!;
  }
  m /= v.length;
  return { mean: m, std: Math.sqrt(Math.max(sq / v.length - m * m, 0)) };
}

describe('honest tools', () => {
  it('activationStats gives the pre-activation output of Conv2d and Linear rows on a trained (fused) model', async () => {
    const rng = new Rng();
    seed(2);
    const conv = new Conv2d(1, 3, 3, { runtime: rt }), head = new Linear(3 * 3 * 3, 4, { runtime: rt });
    const model = new Sequential(conv, new ReLU(), new Flatten(), head, new Tanh(), new Linear(4, 3, { runtime: rt }));
    const n = 7;
    const data = new InMemoryDataset(rng.normal(n * 25), rng.int(n, 0, 3), { sampleShape: [1, 5, 5], classes: 3 });
    await fit(model, data, { epochs: 2, batchSize: n, optimizer: new SGD(model.parameters(), { lr: 0.1 }) });
    const x = tensor(rng.normal(5 * 25), [5, 1, 5, 5], 'f32', rt);
    model.forward(x).dispose(); // the fused state a forward leaves behind

    const rows = await activationStats(model, x);
    // Expected: each layer alone, computed with the raw ops (no epilogue).
    const c = ops.conv2d(x, conv.weight, { bias: conv.bias! });
    const r = ops.relu(c);
    const h = ops.matmul(r.reshape([5, 27]), head.weight, { transposeB: true, bias: head.bias! });
    const tol = { rtol: 1e-5, atol: 1e-6 };
    for (const [i, t] of [[0, c], [1, r], [3, h]] as const) {
      const want = stats(await t.toArray());
      expectClose([rows[i]!.mean, rows[i]!.std], [want.mean, want.std], tol, `row ${i} (${rows[i]!.layer})`);
    }
    expect((await c.toArray()).some((v) => v < 0)).toBe(true); // so a post-ReLU row could not pass
    // The model is fused again afterwards: same output as before.
    expect(model.fusion).toBe(true);
  });

  it('softmax and logSoftmax along any axis, forward and backward, and nn.Softmax(dim)', async () => {
    const rng = new Rng();
    const shape = [3, 4, 5];
    const xv = rng.normal(60), wv = rng.normal(60);
    const xr = { shape, data: Float64Array.from(xv) }, wr = { shape, data: Float64Array.from(wv) };
    const tol = { rtol: 1e-5, atol: 1e-6 };
    for (const axis of [0, 1, -1, -3]) {
      for (const [name, f, ref, refBack] of [
        ['softmax', softmax, refSoftmax, refSoftmaxBackward],
        ['logSoftmax', logSoftmax, refLogSoftmax, refLogSoftmaxBackward],
      ] as const) {
        const x = tensor(xv, shape, 'f32', rt).requireGrad();
        const y = f(x, axis);
        const want = ref(xr, axis);
        expectClose(await y.toArray(), want.data, tol, `${name} axis ${axis}`);
        sum(mul(y, tensor(wv, shape, 'f32', rt))).backward();
        const grad = refBack(wr, want, axis);
        expectClose(await x.grad!.toArray(), grad.data, tol, `${name} axis ${axis} backward`);
        // The reference backward against central differences of Σ w·f(x) in float64.
        const probe = Float64Array.from(xv);
        const fd = centralDifferences(() => ref({ shape, data: probe }, axis).data.reduce((s, v, i) => s + v * wv[i]!, 0), probe);
        expectClose(grad.data, fd, { rtol: 1e-6, atol: 1e-7 }, `${name} axis ${axis} finite differences`);
      }
    }
    const x = tensor(xv, shape, 'f32', rt);
    expectClose(await new Softmax(1).forward(x).toArray(), refSoftmax(xr, 1).data, tol, 'nn.Softmax(1)');
    expectClose(await new LogSoftmax(0).forward(x).toArray(), refLogSoftmax(xr, 0).data, tol, 'nn.LogSoftmax(0)');
    expect(() => softmax(x, 3)).toThrow(ArgumentError);
    expect(() => softmax(x, 1.5)).toThrow(/axis 1.5 is out of range/);
  });

  it("fit refuses an optimizer over another model's parameters", async () => {
    const rng = new Rng();
    const a = new Sequential(new Linear(2, 3, { runtime: rt })), b = new Sequential(new Linear(2, 3, { runtime: rt }));
    const data = new InMemoryDataset(rng.normal(8), rng.int(4, 0, 3), { sampleShape: [2] });
    const before = Array.from(await a.parameters()[0]!.toArray());
    await expect(fit(a, data, { epochs: 1, batchSize: 2, optimizer: new SGD(b.parameters(), { lr: 0.1 }) }))
      .rejects.toThrow(/fit: the optimizer updates 2 tensors, none of them a parameter of the model \(2 parameters\)/);
    expect(Array.from(await a.parameters()[0]!.toArray())).toEqual(before);
  });
});
