import { getRuntime, type Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { f32bits } from '../params.js';
import { checkShape, type Shape } from '../shape.js';
import { empty, keep, Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { DIST_NORMAL, DIST_UNIFORM } from '../../kernels/random.js';
import { RANDOM_STREAM_VALUES_PER_WORKGROUP, randomStreamKernel } from '../../kernels/random-stream.js';

export interface RandomStreamOptions {
  /** Key of the generator: a non-negative safe integer. */
  seed: number;
  /** 'normal' (mean, std) by default, or 'uniform' in [low, high). */
  distribution?: 'normal' | 'uniform';
  mean?: number;
  std?: number;
  low?: number;
  high?: number;
}

/**
 * Fresh random numbers of a fixed shape on every call, also inside a compiled step: the k-th call (k = 0, 1, …)
 * gives exactly what `randn(shape, …)` / `rand(shape, …)` give for this seed and stream k (Philox4x32-10), because
 * the stream number reaches the GPU through a per-call upload (`rt.upload` with a producer, which compiled steps
 * replay) rather than through the kernel's uniform, which a compiled step would freeze at trace time.
 * Reproducible from the seed and the call count alone, like the Dropout module's masks.
 */
export class RandomStream {
  readonly shape: readonly number[];
  private readonly rng: Tensor;
  private readonly words: Uint32Array;
  private calls = 0;
  private disposed = false;

  constructor(shape: Shape, readonly options: RandomStreamOptions, readonly rt: Runtime = getRuntime()) {
    const op = 'RandomStream';
    checkShape(op, shape);
    const { seed } = options;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(op, `seed must be a non-negative safe integer, got ${seed}`);
    const dist = options.distribution ?? 'normal';
    if (dist !== 'normal' && dist !== 'uniform') throw new ArgumentError(op, `distribution must be 'normal' or 'uniform', got '${String(dist)}'`);
    const [a, b] = dist === 'normal' ? [options.mean ?? 0, options.std ?? 1] : [options.low ?? 0, options.high ?? 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new ArgumentError(op, `the distribution's parameters must be finite, got ${a}, ${b}`);
    if (dist === 'normal' && b < 0) throw new ArgumentError(op, `std must be ≥ 0, got ${b}`);
    this.shape = [...shape];
    this.rng = keep(zeros([3], 'u32', rt));
    const n = this.shape.reduce((x, y) => x * y, 1);
    this.words = Uint32Array.of(n, dist === 'normal' ? DIST_NORMAL : DIST_UNIFORM, f32bits(a), f32bits(b));
  }

  /** Calls made so far: the stream the next call draws. */
  get stream(): number {
    return this.calls;
  }

  /** The next sample, a fresh tensor the caller owns. */
  next(): Tensor {
    const op = 'RandomStream.next';
    if (this.disposed) throw new ArgumentError(op, 'the stream was disposed');
    if (this.calls >= 2 ** 32) throw new ArgumentError(op, 'the stream counter ran past 2³²');
    const seed = this.options.seed;
    const words = () => Uint32Array.of(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, this.calls++);
    this.rt.upload(op, this.rng.buffer(op), words(), words);
    const out = empty(this.shape, 'f32', op, this.rt);
    if (out.size) {
      this.rt.dispatch({
        op, kernel: randomStreamKernel, bindings: { out: out.buffer(op), rng: this.rng.buffer(op), p: this.words },
        workgroups: Math.ceil(out.size / RANDOM_STREAM_VALUES_PER_WORKGROUP),
      });
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rng.dispose();
  }
}
