import { ArgumentError } from '../errors.js';
import { randomBrightness, randomContrast, randomCrop, randomHorizontalFlip, randomResizedCrop, type AugmentStage } from './stages.js';
import { flipViews, tenCropViews, type TTAView } from './views.js';

/**
 * Augmentation as a short text, for the CLI and URLs: comma-separated stages applied in order, on images
 * of `size` (kept): `flip[:p]`, `crop:padding`, `resized:minScale`, `brightness:x`, `contrast:x`.
 * Example: `crop:2,flip,brightness:0.2`.
 */
export function parseAugmentSpec(spec: string, size: readonly [number, number]): AugmentStage[] {
  const op = 'augment spec';
  return spec.split(',').map((part) => {
    const [name, arg, extra] = part.trim().split(':');
    const x = arg === undefined ? undefined : Number(arg);
    if (extra !== undefined || (arg !== undefined && (arg.trim() === '' || !Number.isFinite(x)))) throw new ArgumentError(op, `'${part}': expected name or name:number`);
    const need = (what: string): number => {
      if (x === undefined) throw new ArgumentError(op, `'${part}': ${name} needs ${what}, e.g. ${name}:${what === 'a padding' ? 2 : 0.2}`);
      return x;
    };
    switch (name) {
      case 'flip': return randomHorizontalFlip(x ?? 0.5);
      case 'crop': return randomCrop(size, { padding: need('a padding') });
      case 'resized': return randomResizedCrop(size, { scale: [need('a minimum scale'), 1] });
      case 'brightness': return randomBrightness(need('an amount'));
      case 'contrast': return randomContrast(need('an amount'));
      default: throw new ArgumentError(op, `unknown stage '${name}' (flip, crop, resized, brightness, contrast)`);
    }
  });
}

/** Test-time views as text: `flip` (the image and its mirror) or `crops:padding` (ten-crop of the padded image at its own size). */
export function parseTtaSpec(spec: string): TTAView[] {
  const [name, arg] = spec.trim().split(':');
  if (name === 'flip' && arg === undefined) return flipViews();
  const padding = Number(arg);
  if (name === 'crops' && arg !== undefined && Number.isInteger(padding) && padding >= 0) return tenCropViews(undefined, { padding });
  throw new ArgumentError('tta spec', `'${spec}': expected flip or crops:<padding>`);
}

/** Layer indices as text: `0-8`, `0,3,5-7` (ranges inclusive). */
export function parseLayerList(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(-?\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new ArgumentError('layer list', `'${part}': expected an index or a range a-b`);
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new ArgumentError('layer list', `'${part}': empty range`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}
