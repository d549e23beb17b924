import { ArgumentError, ShapeError } from '../errors.js';

/**
 * Augmentation stages (torchvision's transforms, applied per sample on the GPU). Build them with the
 * functions below and chain them with `augment([...])`; each stage draws its own random numbers.
 */
export type AugmentStage =
  | { readonly kind: 'hflip'; readonly p: number }
  | { readonly kind: 'crop'; readonly size: readonly [number, number]; readonly padding: number }
  | { readonly kind: 'resizedCrop'; readonly size: readonly [number, number]; readonly scale: readonly [number, number]; readonly ratio: readonly [number, number] }
  | { readonly kind: 'brightness' | 'contrast'; readonly range: readonly [number, number]; readonly clamp: readonly [number, number] | null };

type Size = number | readonly [number, number];

function pair(op: string, size: Size): [number, number] {
  const s: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!s.every((v) => Number.isInteger(v) && v >= 1)) throw new ArgumentError(op, `size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  return s;
}

/** Mirror left-right with probability p (torchvision RandomHorizontalFlip). */
export function randomHorizontalFlip(p = 0.5): AugmentStage {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError('randomHorizontalFlip', `p must be a probability in [0, 1], got ${p}`);
  return { kind: 'hflip', p };
}

/** Zero-pad by `padding` on every side, then crop `size` at a uniformly random position (torchvision RandomCrop). */
export function randomCrop(size: Size, opts: { padding?: number } = {}): AugmentStage {
  const padding = opts.padding ?? 0;
  if (!(Number.isInteger(padding) && padding >= 0)) throw new ArgumentError('randomCrop', `padding must be a non-negative integer, got ${padding}`);
  return { kind: 'crop', size: pair('randomCrop', size), padding };
}

/**
 * A random box of area fraction in `scale` and aspect ratio (width / height) in `ratio`, resized to `size`
 * bilinearly (torchvision RandomResizedCrop; defaults scale [0.08, 1], ratio [3/4, 4/3]). Boxes are drawn
 * from the exact distribution of torchvision's rounded (w, h) given the image size (computed once per
 * input size), without its fallback to a centre crop after 10 rejected tries.
 */
export function randomResizedCrop(size: Size, opts: { scale?: readonly [number, number]; ratio?: readonly [number, number] } = {}): AugmentStage {
  const op = 'randomResizedCrop';
  const scale = opts.scale ?? [0.08, 1], ratio = opts.ratio ?? [3 / 4, 4 / 3];
  if (!(scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)) throw new ArgumentError(op, `scale must satisfy 0 < min ≤ max ≤ 1, got [${scale.join(', ')}]`);
  if (!(ratio[0] > 0 && ratio[0] <= ratio[1] && Number.isFinite(ratio[1]))) throw new ArgumentError(op, `ratio must satisfy 0 < min ≤ max, got [${ratio.join(', ')}]`);
  return { kind: 'resizedCrop', size: pair(op, size), scale: [scale[0], scale[1]], ratio: [ratio[0], ratio[1]] };
}

function jitter(kind: 'brightness' | 'contrast', amount: number | readonly [number, number], clamp?: readonly [number, number]): AugmentStage {
  const range: [number, number] = typeof amount === 'number' ? [Math.max(0, 1 - amount), 1 + amount] : [amount[0], amount[1]];
  if (typeof amount === 'number' && !(amount >= 0 && Number.isFinite(amount))) throw new ArgumentError(kind, `amount must be a non-negative number, got ${amount}`);
  if (!(range[0] >= 0 && range[0] <= range[1] && Number.isFinite(range[1]))) throw new ArgumentError(kind, `factor range must satisfy 0 ≤ min ≤ max, got [${range.join(', ')}]`);
  if (clamp && !(clamp[0] <= clamp[1])) throw new ArgumentError(kind, `clamp must be [low, high] with low ≤ high, got [${clamp.join(', ')}]`);
  return { kind, range, clamp: clamp ? [clamp[0], clamp[1]] : null };
}

/**
 * x · f with f uniform in [max(0, 1 − amount), 1 + amount] (or the [min, max] given), per sample
 * (torchvision ColorJitter's brightness). `clamp` bounds the result (torchvision: [0, 1] for float images);
 * apply it to images before normalization, or it scales around the normalized zero.
 */
export function randomBrightness(amount: number | readonly [number, number], opts: { clamp?: readonly [number, number] } = {}): AugmentStage {
  return jitter('brightness', amount, opts.clamp);
}

/** f · x + (1 − f) · mean grey of the sample, f drawn as for brightness (torchvision ColorJitter's contrast). */
export function randomContrast(amount: number | readonly [number, number], opts: { clamp?: readonly [number, number] } = {}): AugmentStage {
  return jitter('contrast', amount, opts.clamp);
}

/** Output shape of a stage for an input [N, C, H, W]; refuses impossible geometry (before any GPU work). */
export function stageOutputShape(op: string, stage: AugmentStage, shape: readonly number[]): number[] {
  if (shape.length !== 4) throw new ShapeError(op, [shape], 'augmentation takes image batches [N, C, H, W]');
  const [n, c, h, w] = shape as [number, number, number, number];
  if (stage.kind === 'crop') {
    const [oh, ow] = stage.size, p = stage.padding;
    if (oh > h + 2 * p || ow > w + 2 * p) throw new ShapeError(op, [shape, [oh, ow]], `randomCrop ${oh}×${ow} is larger than the padded image ${h + 2 * p}×${w + 2 * p} (padding ${p})`);
    return [n, c, oh, ow];
  }
  if (stage.kind === 'resizedCrop') return [n, c, stage.size[0], stage.size[1]];
  return [n, c, h, w];
}

/** Quadrature points per axis over (scale, log ratio) for the box distribution. */
const GRID = 128;
const MAX_U32 = 0xffffffff;

/**
 * Candidate boxes (h, w, cumulative weight) for randomResizedCrop on an H×W image: torchvision draws area
 * s·H·W with s ~ U(scale) and log r ~ U(log ratio), w = round(√(area·r)), h = round(√(area/r)), and keeps
 * the draw when w ≤ W and h ≤ H. The mass of each rounded (h, w) is integrated on a GRID² midpoint grid,
 * rejected draws are renormalized away, and cumulative weights are scaled to u32 so that box k is taken
 * when the sample's 32 random bits are below its weight and not below the previous one. GPU kernel and
 * CPU reference read the same table.
 */
export function resizedCropTable(h: number, w: number, scale: readonly [number, number], ratio: readonly [number, number]): Uint32Array {
  const mass = new Map<number, number>();
  const area = h * w, lr0 = Math.log(ratio[0]), lr1 = Math.log(ratio[1]);
  let total = 0;
  for (let a = 0; a < GRID; a++) {
    const s = scale[0] + ((a + 0.5) / GRID) * (scale[1] - scale[0]);
    for (let b = 0; b < GRID; b++) {
      const r = Math.exp(lr0 + ((b + 0.5) / GRID) * (lr1 - lr0));
      const bw = Math.round(Math.sqrt(s * area * r)), bh = Math.round(Math.sqrt((s * area) / r));
      if (bw < 1 || bh < 1 || bw > w || bh > h) continue;
      const key = bh * (w + 1) + bw;
      mass.set(key, (mass.get(key) ?? 0) + 1);
      total++;
    }
  }
  if (total === 0) return Uint32Array.of(h, w, MAX_U32);
  const keys = [...mass.keys()].sort((x, y) => x - y);
  const out: number[] = [];
  let acc = 0;
  for (const key of keys) {
    acc += mass.get(key)!;
    const cum = key === keys[keys.length - 1] ? MAX_U32 : Math.min(Math.round((acc / total) * 2 ** 32), MAX_U32);
    if (out.length && cum <= out[out.length - 1]!) continue;
    out.push(Math.floor(key / (w + 1)), key % (w + 1), cum);
  }
  out[out.length - 1] = MAX_U32;
  return Uint32Array.from(out);
}

/** Index of the box the random word `u` selects: the first whose cumulative weight exceeds u (the last otherwise). */
export function pickBox(table: Uint32Array, u: number): number {
  let lo = 0, hi = table.length / 3 - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < table[3 * mid + 2]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Threshold of a probability for 32 random bits (P(bits < t) = p to within 2⁻³²). */
export function probabilityThreshold(p: number): number {
  return Math.min(Math.round(p * 2 ** 32), MAX_U32);
}

/** Fourth Philox counter word of augmentation draws: counter (sample, step, stage, TAG), key seed. */
export const AUGMENT_TAG = 0x41554730;
