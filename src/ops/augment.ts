import { probabilityThreshold, resizedCropTable, stageOutputShape, type AugmentStage } from '../augment/stages.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { copyTensor, empty, type Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import {
  AUGMENT_WORKGROUP, augmentColorKernel, augmentGeometryKernel, augmentRngWords, colorParams, colorSpecialization, COLOR_MODE,
  geometryParams, geometrySpecialization, GEOMETRY_MODE,
} from '../../kernels/augment.js';

export interface AugmentOptions {
  /** Key of the counter-based RNG: a non-negative safe integer. */
  seed: number;
  /** Training step (< 2³²): the same seed and step give the same draws. */
  step: number;
  /** The seed and step as GPU words (`augmentRngWords`), used instead of uploading them (the Augment module advances its own). */
  rng?: Tensor;
  /** randomResizedCrop box tables by stage index (`resizedCropTable` as u32 tensors), kept by the caller; made per call otherwise. */
  tables?: ReadonlyMap<number, Tensor>;
}

function checkImages(op: string, x: Tensor): void {
  x.buffer(op);
  if (x.dtype !== 'f32') throw new DTypeError(op, [x.dtype], 'augmentation takes f32 images');
  if (x.rank !== 4) throw new ShapeError(op, [x.shape], 'augmentation takes image batches [N, C, H, W]');
  if (x.requiresGrad) throw new ArgumentError(op, 'augmentation has no gradient: apply it to input images (detach() first)');
}

/** Checks a batch and every stage's geometry (before any GPU work); the shape after each stage. */
export function augmentShapes(x: Tensor, stages: readonly AugmentStage[]): number[][] {
  const op = 'augment';
  checkImages(op, x);
  const shapes: number[][] = [];
  stages.reduce<readonly number[]>((shape, st) => {
    const next = stageOutputShape(op, st, shape);
    shapes.push(next);
    return next;
  }, x.shape);
  return shapes;
}

/**
 * The stages in order on a batch [N, C, H, W], sample n's draws for stage k from Philox4x32-10 with counter
 * (n, step, k, tag) and key seed; one dispatch per stage, no CPU work per sample.
 */
export function augmentImages(x: Tensor, stages: readonly AugmentStage[], opts: AugmentOptions): Tensor {
  const op = 'augment';
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new ArgumentError(op, `seed must be a non-negative safe integer, got ${opts.seed}`);
  if (!Number.isInteger(opts.step) || opts.step < 0 || opts.step >= 2 ** 32) throw new ArgumentError(op, `step must be an integer in [0, 2³²), got ${opts.step}`);
  const shapes = augmentShapes(x, stages);
  const rt = x.rt;
  const rng = opts.rng ?? tensor(augmentRngWords(opts.seed, opts.step), [3], 'u32', rt);
  const made: Tensor[] = [];
  let cur = x;
  stages.forEach((st, k) => {
    const [n, c, h, w] = cur.shape as [number, number, number, number];
    const shape = shapes[k]!;
    const out = empty(shape, 'f32', op, rt);
    if (out.size > 0) {
      if (st.kind === 'brightness' || st.kind === 'contrast') {
        rt.dispatch({
          op, kernel: augmentColorKernel, workgroups: n, specialize: colorSpecialization(COLOR_MODE[st.kind], st.clamp !== null),
          bindings: { x: cur.buffer(op), out: out.buffer(op), p: colorParams(n, c, h * w, k, st.range[0], st.range[1], st.clamp), rng: rng.buffer(op) },
        });
      } else {
        let table = st.kind === 'resizedCrop' ? opts.tables?.get(k) : undefined;
        if (st.kind === 'resizedCrop' && !table) made.push((table = tensor(resizedCropTable(h, w, st.scale, st.ratio), undefined, 'u32', rt)));
        rt.dispatch({
          op, kernel: augmentGeometryKernel, workgroups: Math.ceil(out.size / AUGMENT_WORKGROUP), specialize: geometrySpecialization(GEOMETRY_MODE[st.kind]),
          bindings: {
            x: cur.buffer(op), out: out.buffer(op), rng: rng.buffer(op), table: (table ?? rng).buffer(op),
            p: geometryParams({
              n, c, h, w, outH: shape[2]!, outW: shape[3]!, stage: k, pad: st.kind === 'crop' ? st.padding : 0,
              threshold: st.kind === 'hflip' ? probabilityThreshold(st.p) : 0, tableLen: table ? table.size / 3 : 1,
            }),
          },
        });
      }
    }
    if (cur !== x) cur.dispose();
    cur = out;
  });
  for (const t of made) t.dispose();
  if (rng !== opts.rng) rng.dispose();
  return cur === x ? copyOf(x) : cur;
}

function copyOf(x: Tensor): Tensor {
  const out = empty(x.shape, 'f32', 'augment', x.rt);
  if (x.size) copyTensor('augment', x, out);
  return out;
}

/** A fixed view: the crop of size outH×outW at (i, j) of the image zero-padded by `pad`, mirrored if `flip`. */
export interface ImageView {
  i: number;
  j: number;
  pad: number;
  flip: boolean;
  outH: number;
  outW: number;
}

/**
 * The views of a batch stacked view-major in one tensor [V·N, C, outH, outW] (rows v·N … v·N + N − 1 are
 * view v): one dispatch per view, no randomness. Views must share the output size.
 */
export function imageViews(x: Tensor, views: readonly ImageView[]): Tensor {
  const op = 'imageViews';
  checkImages(op, x);
  if (views.length === 0) throw new ArgumentError(op, 'needs at least one view');
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const { outH, outW } = views[0]!;
  views.forEach((v, k) => {
    if (v.outH !== outH || v.outW !== outW) throw new ShapeError(op, [[outH, outW], [v.outH, v.outW]], `view ${k}: every view must have the same size`);
    const ph = h + 2 * v.pad, pw = w + 2 * v.pad;
    if (!(Number.isInteger(v.i) && Number.isInteger(v.j) && v.i >= 0 && v.j >= 0 && v.i + outH <= ph && v.j + outW <= pw)) {
      throw new ShapeError(op, [x.shape, [outH, outW]], `view ${k}: the crop ${outH}×${outW} at (${v.i}, ${v.j}) does not fit the padded image ${ph}×${pw}`);
    }
  });
  const rt = x.rt;
  const out = empty([views.length * n, c, outH, outW], 'f32', op, rt);
  const per = n * c * outH * outW;
  if (per === 0) return out;
  views.forEach((v, k) => {
    rt.dispatch({
      op, kernel: augmentGeometryKernel, workgroups: Math.ceil(per / AUGMENT_WORKGROUP), specialize: geometrySpecialization(GEOMETRY_MODE.view),
      bindings: {
        x: x.buffer(op), out: out.buffer(op), rng: x.buffer(op), table: x.buffer(op),
        p: geometryParams({ n, c, h, w, outH, outW, pad: v.pad, fixedI: v.i, fixedJ: v.j, fixedFlip: v.flip, outOffset: k * per }),
      },
    });
  });
  return out;
}
