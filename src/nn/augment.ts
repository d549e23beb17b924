import type { AugmentStage } from '../augment/stages.js';
import { resizedCropTable } from '../augment/stages.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import { augmentImages, augmentShapes } from '../ops/augment.js';
import { getRuntime, type Runtime } from '../device.js';
import { empty, keep, type Tensor } from '../tensor.js';
import { augmentRngWords } from '../../kernels/augment.js';
import { Module } from './module.js';

/**
 * Data augmentation as a module: in training mode each call applies the stages to the batch on the GPU
 * with fresh draws (the step counter advances by an upload, so a compiled step draws anew at every
 * replay, and a run with the same seed reproduces); in eval mode it is the identity. Put it first in a
 * Sequential, or give it to `fit` as `augment`. It has no parameters.
 */
export class Augment extends Module {
  readonly stages: readonly AugmentStage[];
  readonly seed: number;
  private step = 0;
  /** [seed_lo, seed_hi, step], rewritten by each training call; made here, outside any compiled step's trace. */
  private readonly rng: Tensor;
  private readonly rt: Runtime;
  /** randomResizedCrop tables by "stage:H×W". */
  private readonly tables = new Map<string, Tensor>();

  constructor(stages: readonly AugmentStage[], opts: AugmentModuleOptions = {}) {
    super();
    if (stages.length === 0) throw new ArgumentError('augment', 'needs at least one stage');
    const seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError('augment', `seed must be a non-negative safe integer, got ${seed}`);
    this.stages = [...stages];
    this.seed = seed;
    this.rt = opts.runtime ?? getRuntime();
    this.rng = keep(empty([3], 'u32', 'augment', this.rt));
    if (opts.inputSize) this.tablesFor(opts.inputSize[0], opts.inputSize[1]);
  }

  /** Draws made so far (the step the next training call uses). */
  get steps(): number {
    return this.step;
  }

  forward(x: Tensor): Tensor {
    if (!this.training) return x;
    augmentShapes(x, this.stages);
    const rt = x.rt;
    if (rt !== this.rt) throw new ArgumentError('augment', 'the input belongs to another runtime than the module');
    const words = () => augmentRngWords(this.seed, this.step++);
    const step = this.step;
    // Inside a compiled step the upload's producer runs at every replay: each replay draws anew.
    rt.upload('augment', this.rng.buffer('augment'), words(), words);
    return augmentImages(x, this.stages, { seed: this.seed, step, rng: this.rng, tables: this.tablesFor(x.shape[2]!, x.shape[3]!) });
  }

  /** randomResizedCrop's box tables for an input of h×w (made once per size: pass `inputSize` to make them before a compiled step's trace). */
  private tablesFor(height: number, width: number): Map<number, Tensor> {
    const out = new Map<number, Tensor>();
    let [h, w] = [height, width];
    this.stages.forEach((st, k) => {
      if (st.kind === 'resizedCrop') {
        const key = `${k}:${h}x${w}`;
        let t = this.tables.get(key);
        if (!t && h > 0 && w > 0) this.tables.set(key, (t = keep(tensor(resizedCropTable(h, w, st.scale, st.ratio), undefined, 'u32', this.rt))));
        if (t) out.set(k, t);
      }
      if (st.kind === 'crop' || st.kind === 'resizedCrop') [h, w] = st.size;
    });
    return out;
  }

  dispose(): void {
    this.rng.dispose();
    for (const t of this.tables.values()) t.dispose();
    this.tables.clear();
    super.dispose();
  }
}

export interface AugmentModuleOptions {
  /** Key of the counter-based RNG (default 0): the same seed reproduces a run's draws. */
  seed?: number;
  /** Input height and width, to build randomResizedCrop's tables now rather than during the first (traced) call. */
  inputSize?: readonly [number, number];
  runtime?: Runtime;
}

/** `new Augment(stages, { seed })`: e.g. `augment([randomCrop(28, { padding: 2 }), randomHorizontalFlip()], { seed: 1 })`. */
export function augment(stages: readonly AugmentStage[], opts: AugmentModuleOptions = {}): Augment {
  return new Augment(stages, opts);
}
