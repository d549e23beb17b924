import { ArgumentError } from '../errors.js';
import type { ImageView } from '../ops/augment.js';

/**
 * A fixed view for test-time augmentation: the image zero-padded by `padding` (default 0), cropped to
 * `size` (default the image's own) at a corner or the centre (default), mirrored left-right if `flip`.
 */
export interface TTAView {
  flip?: boolean;
  crop?: 'center' | 'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight';
  size?: number | readonly [number, number];
  padding?: number;
}

/** Python's round(): halves to even, as torchvision's center_crop computes its offsets. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

/** The crop offsets of views on an H×W image (checked: every view the same size, inside the padded image). */
export function resolveViews(views: readonly TTAView[], h: number, w: number): ImageView[] {
  const op = 'tta';
  if (views.length === 0) throw new ArgumentError(op, 'needs at least one view');
  return views.map((v, k) => {
    const pad = v.padding ?? 0;
    if (!(Number.isInteger(pad) && pad >= 0)) throw new ArgumentError(op, `view ${k}: padding must be a non-negative integer, got ${pad}`);
    const [outH, outW] = v.size === undefined ? [h, w] : typeof v.size === 'number' ? [v.size, v.size] : v.size;
    if (!(Number.isInteger(outH) && Number.isInteger(outW) && outH >= 1 && outW >= 1)) throw new ArgumentError(op, `view ${k}: size must be positive integers, got ${JSON.stringify(v.size)}`);
    const ph = h + 2 * pad, pw = w + 2 * pad;
    if (outH > ph || outW > pw) throw new ArgumentError(op, `view ${k}: crop ${outH}×${outW} is larger than the padded image ${ph}×${pw}`);
    const crop = v.crop ?? 'center';
    const i = crop === 'center' ? roundHalfEven((ph - outH) / 2) : crop.startsWith('top') ? 0 : ph - outH;
    const j = crop === 'center' ? roundHalfEven((pw - outW) / 2) : crop.endsWith('Left') ? 0 : pw - outW;
    return { i, j, pad, flip: v.flip ?? false, outH, outW };
  });
}

/** The image and its mirror. */
export function flipViews(): TTAView[] {
  return [{}, { flip: true }];
}

/** torchvision's TenCrop: the four corners and the centre of `size` (after `padding`), each also mirrored. */
export function tenCropViews(size?: number | readonly [number, number], opts: { padding?: number } = {}): TTAView[] {
  const crops = ['center', 'topLeft', 'topRight', 'bottomLeft', 'bottomRight'] as const;
  return [false, true].flatMap((flip) => crops.map((crop) => ({ crop, flip, size, padding: opts.padding })));
}
