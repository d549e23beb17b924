import { noGrad } from '../autograd.js';
import { SeededRandom } from '../data/random.js';
import { ArgumentError } from '../errors.js';
import { tidy, type Tensor } from '../tensor.js';

export interface GradCheckOptions {
  /** Entries checked per parameter, drawn without replacement (all of them when the parameter is smaller). */
  samples?: number;
  /** Central-difference step. f32 needs a large one: see `gradCheck`. */
  eps?: number;
  /** Seed of the entry sampling (default 0, so a check can be repeated). */
  seed?: number;
}

export interface GradCheckEntry {
  /** Position of the parameter in the `params` array. */
  param: number;
  /** Flat (row-major) index of the entry. */
  index: number;
  /** dL/dw from `backward()`. */
  analytic: number;
  /** (L(w + ε) − L(w − ε)) / 2ε. */
  numeric: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|, 1e-8). */
  relError: number;
}

export interface GradCheckResult {
  maxRelError: number;
  entries: GradCheckEntry[];
}

/**
 * Numerical gradient check (the lecture's "gradient check"): compares the gradients `backward()` computes
 * with central differences of the loss on randomly sampled entries of each parameter.
 *
 * Everything runs on the GPU in f32, unlike PyTorch's gradcheck in float64. The loss itself carries a
 * rounding error of ~1e-7 relative, which the difference quotient divides by 2ε, so ε must be large
 * (1e-2…1e-3) and the truncation error O(ε²) of a large step remains: expect relative errors around
 * 1e-4…1e-2, never PyTorch's 1e-7. How to read them (the lecture's advice, scaled to f32): on a kink-free
 * net (tanh, sigmoid, softmax, no ReLU/max pooling) a relative error below 1e-2 is fine; one near 1 or
 * a ratio analytic/numeric near a constant ≠ 1 is a wrong backward rule. Entries whose gradient is tiny
 * compared with the others get large relative errors from rounding alone, and an ε-step across a kink
 * (ReLU at 0, a max that changes winner) gives a wrong numeric value: look at `entries`, not only the max.
 *
 * `lossFn` must return a one-element tensor and be deterministic (fix dropout's seed and step, or use eval
 * mode); it runs once with gradients and 2·samples times per parameter under `noGrad`, so side effects
 * such as BatchNorm's running-statistics update repeat. Parameters are perturbed in place and restored
 * exactly; their `.grad` is left as it was.
 */
export async function gradCheck(lossFn: () => Tensor, params: readonly Tensor[], opts: GradCheckOptions = {}): Promise<GradCheckResult> {
  const op = 'gradCheck';
  const samples = opts.samples ?? 20, eps = opts.eps ?? 1e-2, seed = opts.seed ?? 0;
  if (!Number.isInteger(samples) || samples < 1) throw new ArgumentError(op, `samples must be a positive integer, got ${samples}`);
  if (!(eps > 0 && Number.isFinite(eps))) throw new ArgumentError(op, `eps must be a positive finite number, got ${eps}`);
  params.forEach((p, i) => {
    p.buffer(op);
    if (!p.requiresGrad || p.gradFn) throw new ArgumentError(op, `params[${i}] must be a leaf tensor with requiresGrad = true`);
  });

  const analytic = await analyticGradients(lossFn, params);
  const evaluate = async (): Promise<number> => {
    const loss = tidy(() => noGrad(lossFn));
    try {
      return await loss.item();
    } finally {
      loss.dispose();
    }
  };

  const entries: GradCheckEntry[] = [];
  for (const [k, p] of params.entries()) {
    const values = (await p.toArray()) as Float32Array;
    const range = p.buffer(op);
    const write = (i: number, v: number) => p.rt.upload(op, { buffer: range.buffer, offset: range.offset + 4 * i, size: 4 }, Float32Array.of(v));
    for (const index of sampleIndices(p.size, samples, new SeededRandom(seed, k))) {
      const v = values[index]!;
      // The step actually taken: v ± ε rounded to f32 (w + ε is not exactly representable).
      const up = Math.fround(v + eps), down = Math.fround(v - eps);
      let lossUp: number, lossDown: number;
      try {
        write(index, up);
        lossUp = await evaluate();
        write(index, down);
        lossDown = await evaluate();
      } finally {
        write(index, v);
      }
      const a = analytic[k]![index]!, n = (lossUp - lossDown) / (up - down);
      entries.push({ param: k, index, analytic: a, numeric: n, relError: Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), 1e-8) });
    }
  }
  return { maxRelError: entries.reduce((m, e) => Math.max(m, e.relError), 0), entries };
}

/** One forward and backward pass; the parameters' earlier `.grad` is set aside and put back. */
async function analyticGradients(lossFn: () => Tensor, params: readonly Tensor[]): Promise<Float32Array[]> {
  const saved = params.map((p) => p.grad);
  for (const p of params) p.grad = null;
  try {
    tidy(() => {
      lossFn().backward();
      return null;
    });
    // A parameter the loss does not reach gets no .grad: its gradient is zero.
    return await Promise.all(params.map(async (p) => (p.grad ? ((await p.grad.toArray()) as Float32Array) : new Float32Array(p.size))));
  } finally {
    params.forEach((p, i) => {
      p.grad?.dispose();
      p.grad = saved[i]!;
    });
  }
}

function sampleIndices(size: number, samples: number, rng: SeededRandom): Iterable<number> {
  if (samples >= size) return Array.from({ length: size }, (_, i) => i);
  return rng.permutation(size).subarray(0, samples);
}
