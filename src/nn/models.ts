import { ArgumentError } from '../errors.js';
import type { InitScheme } from './init.js';
import {
  AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Tanh, type LayerInit,
} from './layers.js';
import { Sequential, type Module } from './module.js';

/** Ready models (lecture architectures), as Sequentials so their state dicts match the PyTorch equivalents. */

/** Softmax (multinomial logistic) regression: Flatten → Linear(inFeatures, classes). For binary logistic regression use classes = 1 with bceWithLogits. */
export function logisticRegression(inFeatures: number, classes: number, opts: LayerInit = {}): Sequential {
  return new Sequential(new Flatten(), new Linear(inFeatures, classes, opts));
}

/** Flatten → (Linear → ReLU [→ Dropout])* → Linear; sizes = [in, hidden…, out], e.g. [784, 512, 512, 10]. */
export function mlp(sizes: readonly number[], opts: LayerInit & { dropout?: number; seed?: number } = {}): Sequential {
  if (sizes.length < 2) throw new ArgumentError('mlp', `needs at least input and output sizes, got [${sizes.join(', ')}]`);
  const layers: Module[] = [new Flatten()];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!, opts));
    if (i + 2 < sizes.length) {
      layers.push(new ReLU());
      if (opts.dropout) layers.push(new Dropout(opts.dropout, { seed: (opts.seed ?? 0) + i }));
    }
  }
  return new Sequential(...layers);
}

export interface LeNetOptions extends LayerInit {
  /** Input channels and side (default 1 × 28, Fashion-MNIST; the 1998 paper used 32 without padding). */
  inChannels?: number;
  imageSize?: number;
  classes?: number;
  /** 'relu' with max pooling (modern, default) or the paper's 'tanh' with average pooling. */
  style?: 'relu' | 'tanh';
}

/**
 * LeNet-5: conv 6@5×5 (padding 2 for 28×28 inputs) → act → pool 2 → conv 16@5×5 → act → pool 2 → flatten →
 * FC 120 → act → FC 84 → act → FC classes.
 */
export function lenet5(opts: LeNetOptions = {}): Sequential {
  const c = opts.inChannels ?? 1, size = opts.imageSize ?? 28, classes = opts.classes ?? 10;
  const tanh = opts.style === 'tanh';
  const act = () => (tanh ? new Tanh() : new ReLU());
  const pool = () => (tanh ? new AvgPool2d({ kernelSize: 2 }) : new MaxPool2d({ kernelSize: 2 }));
  const pad = size < 32 ? (32 - size) / 2 : 0;
  if (!Number.isInteger(pad)) throw new ArgumentError('lenet5', `imageSize must be 32 or an even number below it, got ${size}`);
  const s1 = Math.floor((size + 2 * pad - 4) / 2), s2 = Math.floor((s1 - 4) / 2);
  if (s2 < 1) throw new ArgumentError('lenet5', `imageSize ${size} is too small`);
  return new Sequential(
    new Conv2d(c, 6, 5, { padding: pad, ...opts }), act(), pool(),
    new Conv2d(6, 16, 5, opts), act(), pool(),
    new Flatten(),
    new Linear(16 * s2 * s2, 120, opts), act(),
    new Linear(120, 84, opts), act(),
    new Linear(84, classes, opts),
  );
}

export interface VggOptions extends LayerInit {
  inChannels?: number;
  imageSize?: number;
  classes?: number;
  /** Conv widths; 'M' is a 2×2 max pool. Default [64, 64, 'M', 128, 128, 'M', 256, 256, 'M']. */
  config?: readonly (number | 'M')[];
}

/** A small VGG-style CNN with batch norm: (conv3×3 → BN → ReLU)+ blocks with max pools, then a linear head. */
export function smallVgg(opts: VggOptions = {}): Sequential {
  const config = opts.config ?? [64, 64, 'M', 128, 128, 'M', 256, 256, 'M'];
  let c = opts.inChannels ?? 3, size = opts.imageSize ?? 32;
  const layers: Module[] = [];
  for (const v of config) {
    if (v === 'M') {
      layers.push(new MaxPool2d({ kernelSize: 2 }));
      size = Math.floor(size / 2);
    } else {
      layers.push(new Conv2d(c, v, 3, { padding: 1, bias: false, ...opts }), new BatchNorm2d(v, { runtime: opts.runtime }), new ReLU());
      c = v;
    }
  }
  if (size < 1) throw new ArgumentError('smallVgg', `imageSize ${opts.imageSize} is too small for ${config.filter((v) => v === 'M').length} pools`);
  layers.push(new Flatten(), new Linear(c * size * size, opts.classes ?? 10, opts));
  return new Sequential(...layers);
}

export interface AlexNetOptions extends LayerInit {
  inChannels?: number;
  /** Input side; the conv/pool stack adapts (default 32). */
  imageSize?: number;
  classes?: number;
  /** Channel width multiplier (1 = AlexNet's 64-192-384-256-256 and 4096-wide FCs scaled by `fcWidth`). */
  width?: number;
  fcWidth?: number;
  dropout?: number;
  seed?: number;
  init?: InitScheme;
}

/** AlexNet-style: conv → ReLU → pool stacks, flatten, FC with dropout; sizes follow the input. */
export function alexNet(opts: AlexNetOptions = {}): Sequential {
  const w = opts.width ?? 1, fc = opts.fcWidth ?? 4096, p = opts.dropout ?? 0.5;
  const ch = [64, 192, 384, 256, 256].map((c) => Math.max(1, Math.round(c * w)));
  let size = opts.imageSize ?? 32;
  const conv = (k: number, s: number, pad: number) => (size = Math.floor((size + 2 * pad - k) / s) + 1);
  const pool = () => (size = Math.floor((size - 3) / 2) + 1);
  const first = size >= 64 ? { k: 11, s: 4, p: 2 } : { k: 5, s: 1, p: 2 };
  conv(first.k, first.s, first.p); pool();
  conv(5, 1, 2); pool();
  conv(3, 1, 1); conv(3, 1, 1); conv(3, 1, 1); pool();
  if (size < 1) throw new ArgumentError('alexNet', `imageSize ${opts.imageSize} is too small`);
  const seed = opts.seed ?? 0;
  return new Sequential(
    new Conv2d(opts.inChannels ?? 3, ch[0]!, first.k, { stride: first.s, padding: first.p, ...opts }), new ReLU(), new MaxPool2d({ kernelSize: 3, stride: 2 }),
    new Conv2d(ch[0]!, ch[1]!, 5, { padding: 2, ...opts }), new ReLU(), new MaxPool2d({ kernelSize: 3, stride: 2 }),
    new Conv2d(ch[1]!, ch[2]!, 3, { padding: 1, ...opts }), new ReLU(),
    new Conv2d(ch[2]!, ch[3]!, 3, { padding: 1, ...opts }), new ReLU(),
    new Conv2d(ch[3]!, ch[4]!, 3, { padding: 1, ...opts }), new ReLU(), new MaxPool2d({ kernelSize: 3, stride: 2 }),
    new Flatten(),
    new Dropout(p, { seed }), new Linear(ch[4]! * size * size, fc, opts), new ReLU(),
    new Dropout(p, { seed: seed + 1 }), new Linear(fc, fc, opts), new ReLU(),
    new Linear(fc, opts.classes ?? 10, opts),
  );
}
