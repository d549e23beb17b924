import { beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError, BatchNorm1d, compile, crossEntropy, Dropout, ELU, Flatten, GELU, imageToTensor, imagesToTensor, imageValues, LeakyReLU, lenet5, Linear,
  predict, predictProbabilities, predictTopK, resampleWeights, Sequential, SGD, seed, smallVgg, tensor, topK, type Runtime, type Tensor,
} from '../../src/index.js';
import { expectClose } from '../helpers/compare.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

// The inference side of the library the Studio uses: String(model), model.summary(), predict with
// probabilities and top-k, and model inputs from ImageData / canvas / ImageBitmap.
let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});

describe('String(model)', () => {
  it('prints PyTorch’s repr of LeNet-5', () => {
    seed(1);
    const m = lenet5();
    expect(String(m)).toBe(`Sequential(
  (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
  (1): ReLU()
  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (3): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (4): ReLU()
  (5): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (6): Flatten(start_dim=1, end_dim=-1)
  (7): Linear(in_features=400, out_features=120, bias=True)
  (8): ReLU()
  (9): Linear(in_features=120, out_features=84, bias=True)
  (10): ReLU()
  (11): Linear(in_features=84, out_features=10, bias=True)
)`);
    m.dispose();
  });

  it('prints nested containers indented, and each layer’s settings as PyTorch does', () => {
    const m = new Sequential(new Flatten(), new Sequential(new Linear(4, 3, { bias: false }), new BatchNorm1d(3), new LeakyReLU(0.2)), new ELU(), new GELU('tanh'), new Dropout(0.25));
    expect(String(m)).toBe(`Sequential(
  (0): Flatten(start_dim=1, end_dim=-1)
  (1): Sequential(
    (0): Linear(in_features=4, out_features=3, bias=False)
    (1): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    (2): LeakyReLU(negative_slope=0.2)
  )
  (2): ELU(alpha=1.0)
  (3): GELU(approximate='tanh')
  (4): Dropout(p=0.25, inplace=False)
)`);
    m.dispose();
  });
});

describe('model.summary()', () => {
  it('lists layers, output shapes, parameter counts and bytes, and the compiled step’s dispatches and memory', async () => {
    seed(2);
    const m = lenet5();
    const s = m.summary([3, 1, 28, 28]);
    expect(s.layers.map((l) => l.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [3, 6, 28, 28], [3, 6, 28, 28], [3, 6, 14, 14], [3, 16, 10, 10], [3, 16, 10, 10], [3, 16, 5, 5], [3, 400], [3, 120], [3, 120], [3, 84], [3, 84], [3, 10],
    ]);
    expect(s.layers.map((l) => l.parameters)).toEqual([156, 0, 0, 2416, 0, 0, 0, 48120, 0, 10164, 0, 850]);
    expect(s.parameters).toBe(61706);
    expect(s.parameterBytes).toBe(61706 * 4);
    expect(s.layers[0]!.repr).toBe('Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
    expect(s.step).toBeNull();
    expect(m.training).toBe(true);
    const table = String(s);
    expect(table).toMatch(/^Layer +Output shape +Param #$/m);
    expect(table).toMatch(/^7 Linear +\[3, 120\] +48,120$/m);
    expect(table).toContain('Parameters: 61,706 (241.0 KiB)');

    m.dispose();
  });

  it('adds the dispatches and memory of a compiled step that ran', () => {
    // A small MLP: compiling LeNet-5's backward on SwiftShader would cost a minute.
    seed(4);
    const m = new Sequential(new Flatten(), new Linear(12, 5), new ELU(), new Linear(5, 3));
    const opt = new SGD(m.parameters(), { lr: 0.01 });
    const step = compile((x: Tensor, y: Tensor) => {
      opt.zeroGrad();
      const loss = crossEntropy(m.forward(x), y);
      loss.backward();
      opt.step();
      return loss;
    }, { inputShapes: [[3, 4], []] });
    step(new Float32Array(3 * 12), Int32Array.of(0, 1, 2)).dispose();
    const withStep = m.summary([3, 3, 4], step);
    expect(withStep.step).toEqual({
      dispatches: step.counts()!.dispatches, copies: step.counts()!.copies, passes: step.counts()!.passes,
      peakBytes: step.memory()!.peakBytes, naiveBytes: step.memory()!.naiveBytes,
    });
    expect(withStep.step!.dispatches).toBeGreaterThan(3);
    expect(String(withStep)).toMatch(/Compiled step: \d+ dispatches/);
    // Plain data a worker can post to the page.
    expect(structuredClone(withStep)).toEqual({ ...withStep });
    step.dispose();
    opt.dispose();
    m.dispose();
  });

  it('counts running statistics as buffer bytes and refuses a bad input shape before any GPU work', () => {
    seed(3);
    const m = smallVgg({ inChannels: 1, imageSize: 8, config: [4, 'M'], classes: 3 });
    const s = m.summary([1, 1, 8, 8]);
    expect(s.layers.map((l) => l.type)).toEqual(['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
    expect(s.layers[1]!.bytes).toBe((4 + 4 + 4 + 4 + 1) * 4);
    expect(s.bufferBytes).toBe((4 + 4 + 1) * 4);
    expect(() => m.summary([1, 8, 8, 0])).toThrow(ArgumentError);
    expect(() => m.summary([1, 2, 8, 8])).toThrow(/Conv2d|conv2d/);
    m.dispose();
  });
});

describe('predict with probabilities and top-k', () => {
  it('match softmax of the logits on the CPU (float64), most probable first', async () => {
    const rng = new Rng();
    seed(rng.int(1, 0, 1000)[0]!);
    const m = new Sequential(new Linear(7, 9), new LeakyReLU(0.1), new Linear(9, 5));
    const x = tensor(rng.normal(13 * 7), [13, 7]);
    const logits = await predict(m, x).toArray();
    const probs = await predictProbabilities(m, x).toArray();
    const ref = new Float64Array(13 * 5);
    for (let r = 0; r < 13; r++) {
      const row = Array.from(logits.subarray(r * 5, r * 5 + 5));
      const mx = Math.max(...row), e = row.map((v) => Math.exp(v - mx)), z = e.reduce((a, b) => a + b, 0);
      e.forEach((v, j) => (ref[r * 5 + j] = v / z));
    }
    // f32 softmax of O(1) logits: 1e-6 absolute.
    expectClose(probs, ref, { atol: 1e-6, rtol: 1e-5 }, 'probabilities');
    const top = await predictTopK(m, x, 3);
    expect([top.rows, top.k]).toEqual([13, 3]);
    for (let r = 0; r < 13; r++) {
      const order = [0, 1, 2, 3, 4].sort((a, b) => ref[r * 5 + b]! - ref[r * 5 + a]!);
      const got = top.row(r);
      got.forEach((g, j) => {
        // The class at rank j has the CPU's rank-j probability (so near-ties may swap, never the values).
        expect(Math.abs(ref[r * 5 + g.index]! - ref[r * 5 + order[j]!]!), `row ${r} rank ${j}`).toBeLessThan(1e-6);
        expect(Math.abs(g.probability - ref[r * 5 + g.index]!)).toBeLessThan(1e-6);
      });
      expect(got[0]!.probability).toBeGreaterThanOrEqual(got[1]!.probability);
    }
    expect(m.training).toBe(true);
    m.dispose();
  });

  it('break ties towards the lower class, put NaN last, and check k', async () => {
    const p = tensor(Float32Array.of(0.2, 0.4, 0.4, 0, NaN, 0.9, 0.1, 0), [2, 4]);
    const t = await topK(p, 2);
    expect(Array.from(t.indices)).toEqual([1, 2, 1, 2]);
    expect(structuredClone(t).indices).toEqual(t.indices);
    await expect(topK(p, 5)).rejects.toThrow(/k must be an integer from 1 to the 4 classes, got 5/);
    await expect(topK(tensor(Float32Array.of(1, 2), [2]), 1)).rejects.toThrow(/expected \[samples, classes\]/);
  });
});

/** An RGBA ImageData from a per-pixel function. */
function image(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): ImageData {
  const img = new ImageData(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set(px(x, y), 4 * (y * w + x));
  return img;
}

describe('model inputs from images', () => {
  it('keep a 28×28 grayscale image as is, scaled to [0, 1]', async () => {
    const rng = new Rng();
    const g = rng.int(28 * 28, 0, 256);
    const img = image(28, 28, (x, y) => { const v = g[y * 28 + x]!; return [v, v, v, 255]; });
    const t = imageToTensor(img);
    expect(t.shape).toEqual([1, 1, 28, 28]);
    expectClose(await t.toArray(), Array.from(g, (v) => v / 255), { atol: 1e-6, rtol: 0 }, 'pixels');
  });

  it('average 2×2 blocks when halving, interpolate bilinearly when enlarging, and weigh RGB as luma', () => {
    const rng = new Rng();
    const g = rng.int(6 * 4, 0, 256);
    const img = image(4, 6, (x, y) => [g[y * 4 + x]!, 0, 0, 255]);
    const half = imageValues(img, { size: [3, 2], normalize: {} });
    for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) {
      const block = [g[2 * y * 4 + 2 * x]!, g[2 * y * 4 + 2 * x + 1]!, g[(2 * y + 1) * 4 + 2 * x]!, g[(2 * y + 1) * 4 + 2 * x + 1]!];
      expect(half[y * 2 + x]).toBeCloseTo((0.299 * block.reduce((a, b) => a + b, 0)) / 4, 3);
    }
    // 2 → 4 bilinear with half-pixel centres (PyTorch, align_corners=False): weights 1, .75/.25, .25/.75, 1.
    expect(resampleWeights(2, 4)).toEqual([[[0, 1]], [[0, 0.75], [1, 0.25]], [[0, 0.25], [1, 0.75]], [[1, 1]]]);
    // 3 → 2 area: output 0 covers inputs 0 and half of 1.
    expect(resampleWeights(3, 2)).toEqual([[[0, 2 / 3], [1, 1 / 3]], [[1, 1 / 3], [2, 2 / 3]]]);
    const rgb = imageValues(image(1, 1, () => [10, 20, 30, 255]), { size: 1, channels: 3, normalize: {} });
    expect(Array.from(rgb)).toEqual([10, 20, 30]);
  });

  it('composite transparency over the background, invert, and normalise with a mean and std', () => {
    const img = image(1, 1, () => [200, 200, 200, 128]);
    const a = 128 / 255;
    expect(imageValues(img, { size: 1, normalize: {} })[0]).toBeCloseTo(200 * a, 3);
    expect(imageValues(img, { size: 1, normalize: {}, background: 255 })[0]).toBeCloseTo(200 * a + 255 * (1 - a), 3);
    expect(imageValues(img, { size: 1, normalize: {}, invert: true })[0]).toBeCloseTo(255 - 200 * a, 3);
    expect(imageValues(img, { size: 1, normalize: { scale: 1 / 255, mean: 0.5, std: 0.25 } })[0]).toBeCloseTo((200 * a / 255 - 0.5) / 0.25, 5);
    expect(() => imageValues(img, { size: 0 })).toThrow(/size must be a positive integer/);
    expect(() => imageValues(img, { channels: 2 as 1 })).toThrow(/channels must be 1/);
  });

  it('read a canvas and an ImageBitmap like the ImageData they show', async () => {
    const rng = new Rng();
    const g = rng.int(17 * 9, 0, 256);
    const img = image(9, 17, (x, y) => { const v = g[y * 9 + x]!; return [v, 255 - v, v >> 1, 255]; });
    const canvas = Object.assign(document.createElement('canvas'), { width: 9, height: 17 });
    canvas.getContext('2d')!.putImageData(img, 0, 0);
    const bitmap = await createImageBitmap(img);
    const opts = { size: 5 };
    const want = imageValues(img, opts);
    expectClose(imageValues(canvas, opts), want, { atol: 1e-6, rtol: 0 }, 'canvas');
    expectClose(imageValues(bitmap, opts), want, { atol: 1e-6, rtol: 0 }, 'ImageBitmap');
    const batch = imagesToTensor([img, canvas, bitmap], opts);
    expect(batch.shape).toEqual([3, 1, 5, 5]);
    const values = await batch.toArray();
    expectClose(values.subarray(50, 75), want, { atol: 1e-6, rtol: 0 }, 'batch row 3');
  });
});
