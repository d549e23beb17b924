import { ArgumentError, DTypeError } from '../errors.js';
import { copyTensor, empty, type Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { DROPOUT_RNG_WORDS, DROPOUT_VALUES_PER_WORKGROUP, dropoutKernel, dropoutParams, dropoutRngWords } from '../../kernels/dropout.js';

export interface DropoutOptions {
  /** Probability of dropping an element (PyTorch's p; the lecture's keep probability is 1 − p). Default 0.5. */
  p?: number;
  /** Key of the counter-based RNG: a non-negative safe integer. */
  seed: number;
  /** Training step (or any per-call counter, < 2³²): the same seed and step give the same mask. */
  step: number;
  /**
   * The same seed, step and p as GPU words (u32 [seed_lo, seed_hi, step, threshold, scale], see
   * `dropoutRngWords`), used instead of uploading them: the Dropout module keeps one and rewrites it per
   * call, also inside compiled steps (so its `p` can change between replays).
   */
  rng?: Tensor;
}

function validate(op: string, t: Tensor, opts: DropoutOptions): number {
  t.buffer(op);
  if (t.dtype !== 'f32') throw new DTypeError(op, [t.dtype], 'dropout takes f32 tensors');
  const p = opts.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(op, `p must be a probability in [0, 1], got ${p}`);
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new ArgumentError(op, `seed must be a non-negative safe integer, got ${opts.seed}`);
  if (!Number.isInteger(opts.step) || opts.step < 0 || opts.step >= 2 ** 32) throw new ArgumentError(op, `step must be an integer in [0, 2³²), got ${opts.step}`);
  if (opts.rng && (opts.rng.dtype !== 'u32' || opts.rng.size !== DROPOUT_RNG_WORDS)) {
    throw new ArgumentError(op, `rng must be a u32 tensor of ${DROPOUT_RNG_WORDS} words (dropoutRngWords), got ${opts.rng.dtype} [${opts.rng.shape.join(', ')}]`);
  }
  return p;
}

/**
 * out = t·m/(1 − p) with m the mask of (seed, step). p = 0 returns a copy (a new tensor, so either can be
 * disposed or updated in place independently); p = 1 returns t·0.
 */
function apply(op: string, t: Tensor, opts: DropoutOptions): Tensor {
  const p = validate(op, t, opts);
  const rt = t.rt;
  const out = empty(t.shape, 'f32', op, rt);
  if (!t.size) return out;
  if (p === 0) {
    copyTensor(op, t, out);
    return out;
  }
  const rng = opts.rng ?? tensor(dropoutRngWords(opts.seed, opts.step, p), [DROPOUT_RNG_WORDS], 'u32', rt);
  rt.dispatch({
    op, kernel: dropoutKernel, bindings: { x: t.buffer(op), out: out.buffer(op), p: dropoutParams(t.size), rng: rng.buffer(op) },
    workgroups: Math.ceil(t.size / DROPOUT_VALUES_PER_WORKGROUP),
  });
  if (rng !== opts.rng) rng.dispose();
  return out;
}

/**
 * Inverted dropout at training time: y = x·m/(1 − p), m ~ Bernoulli(1 − p) from Philox4x32-10 keyed by
 * (seed, step), so the mask is reproducible and the backward regenerates it instead of storing it. At
 * inference dropout is the identity: do not call it. p = 0 returns a copy of x, p = 1 returns x·0.
 */
export function dropout(x: Tensor, opts: DropoutOptions): Tensor {
  return apply('dropout', x, opts);
}

/** dx = dy·m/(1 − p) with the forward's mask, regenerated from the same options. */
export function dropoutBackward(dy: Tensor, opts: DropoutOptions): Tensor {
  return apply('dropoutBackward', dy, opts);
}
