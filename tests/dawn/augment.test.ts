import { beforeAll, describe, expect, it } from 'vitest';
import {
  augment, compile, evaluate, fit, flipViews, Flatten, InMemoryDataset, Linear, predict, SGD, randomBrightness, randomContrast, randomCrop, randomHorizontalFlip,
  randomResizedCrop, resolveViews, seed, Sequential, ShapeError, tenCropViews, tensor, ttaLogits, type AugmentStage, type Runtime,
} from '../../src/index.js';
import { augmentImages, imageViews } from '../../src/ops/augment.js';
import { refAugment, refAugmentStage, refView } from '../../src/reference/augment.js';
import { ref } from '../../src/reference/ref-tensor.js';
import { expectClose, expectEqual } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

function key(rng: Rng): { seed: number; step: number } {
  return { seed: 2 ** 32 + Math.floor(rng.next() * 2 ** 40), step: Math.floor(rng.next() * 2 ** 32) };
}

/** Odd batch shapes: grey and RGB, non-square. */
const SHAPES: [number, number, number, number][] = [[5, 1, 7, 9], [3, 3, 6, 5], [17, 1, 3, 3]];

/**
 * Bounds: flips and crops copy values, so they are exact. Bilinear resizing: four products with weights in
 * [0, 1] rounded in f32 for |x| ≤ 1: |err| ≤ 8u. Brightness f·x: f rounds in two f32 ops, the product once:
 * rtol 4u. Contrast adds (1 − f)·mean with the mean summed in f32 over at most 3·7·9 values: atol 1e-5.
 */
const U = 2 ** -24;
const BOUNDS: Record<AugmentStage['kind'], { rtol: number; atol?: number }> = {
  hflip: { rtol: 0 }, crop: { rtol: 0 }, resizedCrop: { rtol: 0, atol: 8 * U }, brightness: { rtol: 4 * U }, contrast: { rtol: 4 * U, atol: 1e-5 },
};

describe('augmentation stages against the float64 reference on the same Philox stream', () => {
  const STAGES: AugmentStage[] = [
    randomHorizontalFlip(0.5),
    randomCrop([3, 4], { padding: 2 }),
    randomCrop([11, 8], { padding: 2 }),
    randomResizedCrop([5, 4], { scale: [0.2, 1], ratio: [0.5, 2] }),
    randomResizedCrop(9),
    randomBrightness(0.4, { clamp: [-0.5, 0.5] }),
    randomBrightness([0.2, 1.7]),
    randomContrast(0.6),
    randomContrast(0.5, { clamp: [-0.25, 0.75] }),
  ];
  for (const st of STAGES) {
    it(`${st.kind} ${JSON.stringify(st)}`, async () => {
      const rng = new Rng();
      for (const shape of SHAPES) {
        if (st.kind === 'crop' && (st.size[0] > shape[2] + 4 || st.size[1] > shape[3] + 4)) continue;
        const data = rng.uniform(shape.reduce((a, b) => a * b, 1));
        const opts = key(rng);
        // Stage index 3 in the pipeline: counter word 2.
        const got = await augmentImages(tensor(data, shape), [randomBrightness([1, 1]), randomBrightness([1, 1]), randomBrightness([1, 1]), st], opts).toArray();
        const want = refAugmentStage(ref(data, shape), st, 3, opts);
        expectClose(got, want.data, BOUNDS[st.kind], `${st.kind} on [${shape.join(', ')}]`);
      }
    });
  }

  it('a whole pipeline matches, and the same seed and step repeat it while another step differs', async () => {
    const rng = new Rng();
    const stages = [randomResizedCrop([8, 8], { scale: [0.3, 1] }), randomHorizontalFlip(), randomCrop(8, { padding: 1 }), randomBrightness(0.3), randomContrast(0.3)];
    const shape = [9, 3, 11, 7];
    const data = rng.uniform(9 * 3 * 11 * 7);
    const opts = key(rng);
    const x = tensor(data, shape);
    const a = await augmentImages(x, stages, opts).toArray();
    expectClose(a, refAugment(ref(data, shape), stages, opts).data, { rtol: 1e-5, atol: 2e-5 }, 'pipeline');
    expectEqual(await augmentImages(x, stages, opts).toArray(), a, 'same seed and step');
    const b = await augmentImages(x, stages, { ...opts, step: (opts.step + 1) % 2 ** 32 }).toArray();
    expect(Array.from(b).some((v, i) => v !== a[i])).toBe(true);
  });

  it('a flip happens with probability p (±5σ over 4001 samples)', async () => {
    const rng = new Rng();
    const n = 4001, p = 0.3;
    const data = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) data.set([0, 1], 2 * i);
    const got = await augmentImages(tensor(data, [n, 1, 1, 2]), [randomHorizontalFlip(p)], key(rng)).toArray();
    let flipped = 0;
    for (let i = 0; i < n; i++) flipped += got[2 * i]!;
    expect(Math.abs(flipped - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
  });

  it('refuses bad input before any GPU work', () => {
    const x = tensor(new Float32Array(2 * 1 * 5 * 5), [2, 1, 5, 5]), flat = tensor(new Float32Array(10), [2, 5]);
    const tooBig = augment([randomCrop(10, { padding: 2 })]);
    const before = rt.stats.dispatches;
    expect(() => augmentImages(x, [randomCrop(10, { padding: 2 })], { seed: 1, step: 0 })).toThrow(ShapeError);
    expect(() => augmentImages(x, [randomCrop(10, { padding: 2 })], { seed: 1, step: 0 })).toThrow(/randomCrop 10×10 is larger than the padded image 9×9 \(padding 2\)/);
    expect(() => augmentImages(x, [randomHorizontalFlip(), randomCrop([4, 6])], { seed: 1, step: 0 })).toThrow(/larger than the padded image 5×5/);
    expect(() => augmentImages(flat, [randomHorizontalFlip()], { seed: 1, step: 0 })).toThrow(/\[N, C, H, W\]/);
    expect(() => tooBig.forward(x)).toThrow(/larger than the padded image/);
    expect(() => randomResizedCrop(4, { scale: [0.5, 2] })).toThrow(/scale/);
    expect(() => randomHorizontalFlip(1.5)).toThrow(/probability/);
    expect(() => randomBrightness(-1)).toThrow(/non-negative/);
    expect(rt.stats.dispatches).toBe(before);
  });
});

describe('the Augment module', () => {
  it('is the identity in eval mode, draws step after step in training, reproduces with the same seed', async () => {
    const rng = new Rng();
    const shape = [5, 1, 9, 9];
    const data = rng.uniform(5 * 81);
    const x = tensor(data, shape);
    const stages = [randomCrop(9, { padding: 2 }), randomHorizontalFlip(), randomBrightness(0.2)];
    const aug = augment(stages, { seed: 11 });
    aug.eval();
    expect(aug.forward(x)).toBe(x);
    aug.train();
    const a0 = await aug.forward(x).toArray(), a1 = await aug.forward(x).toArray();
    expectClose(a0, refAugment(ref(data, shape), stages, { seed: 11, step: 0 }).data, { rtol: 1e-6 }, 'step 0');
    expectClose(a1, refAugment(ref(data, shape), stages, { seed: 11, step: 1 }).data, { rtol: 1e-6 }, 'step 1');
    const again = augment(stages, { seed: 11 });
    expectEqual(await again.forward(x).toArray(), a0, 'same seed');
  });

  it('inside a compiled step draws anew at every replay (the reference stream, step after step)', async () => {
    const rng = new Rng();
    const shape = [3, 1, 7, 7];
    const data = rng.uniform(3 * 49);
    const stages = [randomResizedCrop(5, { scale: [0.25, 1] }), randomHorizontalFlip()];
    const aug = augment(stages, { seed: 5, inputSize: [7, 7] });
    const step = compile((x) => aug.forward(x), { inputShapes: [[1, 7, 7]] });
    for (let s = 0; s < 4; s++) {
      const out = step(data);
      expectClose(await out.toArray(), refAugment(ref(data, shape), stages, { seed: 5, step: s }).data, BOUNDS.resizedCrop, `replay ${s}`);
      out.dispose();
    }
    // The two stages' kernels, the step counter written with the replay's submit (no extra one).
    expect(step.counts()).toMatchObject({ dispatches: 2, directUploads: 1 });
    step.dispose();
  });
});

describe('test-time augmentation', () => {
  it('views are exact crops and flips; TTA equals the mean of the separate softmax predictions', async () => {
    const rng = new Rng();
    const shape = [7, 2, 5, 6];
    const data = rng.uniform(7 * 60);
    const x = tensor(data, shape);
    const views = [...flipViews(), ...tenCropViews(undefined, { padding: 1 }), ...tenCropViews([4, 5]).slice(0, 0)];
    const resolved = resolveViews(views, 5, 6);
    expect(resolved[4]).toEqual({ i: 0, j: 2, pad: 1, flip: false, outH: 5, outW: 6 });
    const stacked = await imageViews(x, resolved).toArray();
    const per = 7 * 60;
    resolved.forEach((v, k) => expectEqual(stacked.subarray(k * per, (k + 1) * per), refView(ref(data, shape), v).data, `view ${k}`));
    seed(3);
    const model = new Sequential(new Flatten(), new Linear(60, 4));
    const got = await ttaLogits(model, x, views).toArray();
    const mean = new Float64Array(7 * 4);
    for (const v of resolved) {
      const logits = await predict(model, tensor(Float32Array.from(refView(ref(data, shape), v).data), shape)).toArray();
      for (let i = 0; i < 7; i++) {
        const row = Array.from(logits.subarray(i * 4, i * 4 + 4)), m = Math.max(...row);
        const z = row.reduce((s, l) => s + Math.exp(l - m), 0);
        row.forEach((l, c) => (mean[i * 4 + c]! += Math.exp(l - m) / z / resolved.length));
      }
    }
    // f32 softmax and mean over 12 views against float64: relative 1e-5.
    expectClose(got.map(Math.exp), mean, { rtol: 1e-5 }, 'averaged probabilities');
    expectClose(await predict(model, x, { tta: views }).toArray(), got, { rtol: 0 }, 'predict with tta');
    expect(() => ttaLogits(model, x, [{ size: 9 }])).toThrow(/larger than the padded image/);
    expect(() => ttaLogits(model, x, [{}, { size: 4 }])).toThrow();
  });
});

describe('fit with augment', () => {
  it('augments the training batches only (a brightness factor of 0 zeroes them: only the bias learns), validation sees the images', async () => {
    const rng = new Rng();
    seed(9);
    const model = new Sequential(new Flatten(), new Linear(4, 3));
    const n = 13;
    const data = new InMemoryDataset(rng.uniform(n * 4, 0.5, 1), Int32Array.from(rng.int(n, 0, 3)), { sampleShape: [1, 2, 2] });
    const [w0, b0] = await Promise.all(model.parameters().map((p) => p.toArray()));
    const before = await evaluate(model, data);
    const blackout = augment([randomBrightness([0, 0])]);
    const opt = new SGD(model.parameters(), { lr: 0.5 });
    const { history } = await fit(model, data, { epochs: 2, batchSize: 5, optimizer: opt, augment: blackout, validation: data });
    const [w1, b1] = await Promise.all(model.parameters().map((p) => p.toArray()));
    expect(w1, 'weight gradients are x-weighted: zero for black images').toEqual(w0);
    expect(b1).not.toEqual(b0);
    expect(blackout.steps, '2 epochs of 3 batches').toBe(6);
    // Validation ran on the real images, not augmented ones: it is evaluate's result on the data set.
    const after = await evaluate(model, data);
    expect(history[1]!.valLoss).toBeCloseTo(after.loss, 6);
    expect(after.loss).not.toBe(before.loss);
  });
});
