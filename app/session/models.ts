// The model a session's options describe, for an input of C×H×W and a number of classes. With the default
// activation (ReLU), no batch norm and no dropout, LeNet-5 and VGG are exactly the library's lenet5() and
// smallVgg() (same layers, same names, same initialisation draws), so weights trained here load there.
import { ArgumentError } from '../../src/errors.js';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, Dropout, ELU, Flatten, GELU, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Tanh,
} from '../../src/nn/layers.js';
import { alexNet } from '../../src/nn/models.js';
import { Sequential, type Module } from '../../src/nn/module.js';
import type { ActivationName, SessionOptions } from './options.js';

export interface InputSpec {
  channels: number;
  size: number;
  classes: number;
}

export const FASHION_MNIST_INPUT: InputSpec = { channels: 1, size: 28, classes: 10 };

/** VGG's conv widths for 28×28 inputs ('M': 2×2 max pool), as `npm run train --model vgg` always used. */
const VGG_CONFIG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 'M'];

function activation(name: ActivationName): Module {
  switch (name) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'leakyRelu': return new LeakyReLU();
    case 'elu': return new ELU();
    case 'gelu': return new GELU();
  }
}

export function buildModel(o: SessionOptions, input: InputSpec = FASHION_MNIST_INPUT): Sequential {
  const { channels: c, size, classes } = input;
  const init = { init: o.init };
  // Dropout layers get seeds derived from the run's seed, one per layer, so runs are reproducible.
  let dropouts = 0;
  const dropout = (): Module[] => (o.dropout > 0 ? [new Dropout(o.dropout, { seed: o.seed * 16 + dropouts++ })] : []);
  const bn = (features: number, twoD: boolean): Module[] => (o.batchNorm ? [twoD ? new BatchNorm2d(features) : new BatchNorm1d(features)] : []);
  switch (o.model) {
    case 'logreg':
      return new Sequential(new Flatten(), new Linear(c * size * size, classes, init));
    case 'mlp': {
      const sizes = [c * size * size, ...o.hidden];
      const layers: Module[] = [new Flatten()];
      for (let i = 0; i + 1 < sizes.length; i++) layers.push(new Linear(sizes[i]!, sizes[i + 1]!, init), ...bn(sizes[i + 1]!, false), activation(o.activation), ...dropout());
      layers.push(new Linear(sizes[sizes.length - 1]!, classes, init));
      return new Sequential(...layers);
    }
    case 'lenet5': {
      const pad = size < 32 ? (32 - size) / 2 : 0;
      if (!Number.isInteger(pad)) throw new ArgumentError('buildModel', `LeNet-5 needs an image size of 32 or an even number below it, got ${size}`);
      const s1 = Math.floor((size + 2 * pad - 4) / 2), s2 = Math.floor((s1 - 4) / 2);
      if (s2 < 1) throw new ArgumentError('buildModel', `LeNet-5 needs larger images than ${size}×${size}`);
      return new Sequential(
        new Conv2d(c, 6, 5, { padding: pad, ...init }), ...bn(6, true), activation(o.activation), new MaxPool2d({ kernelSize: 2 }),
        new Conv2d(6, 16, 5, init), ...bn(16, true), activation(o.activation), new MaxPool2d({ kernelSize: 2 }),
        new Flatten(),
        new Linear(16 * s2 * s2, 120, init), ...bn(120, false), activation(o.activation), ...dropout(),
        new Linear(120, 84, init), ...bn(84, false), activation(o.activation), ...dropout(),
        new Linear(84, classes, init),
      );
    }
    case 'vgg': {
      const layers: Module[] = [];
      let ch = c, side = size;
      for (const v of VGG_CONFIG) {
        if (v === 'M') {
          layers.push(new MaxPool2d({ kernelSize: 2 }));
          side = Math.floor(side / 2);
        } else {
          layers.push(new Conv2d(ch, v, 3, { padding: 1, bias: !o.batchNorm, ...init }), ...bn(v, true), activation(o.activation));
          ch = v;
        }
      }
      if (side < 1) throw new ArgumentError('buildModel', `VGG needs images of at least 8×8, got ${size}×${size}`);
      layers.push(new Flatten(), ...dropout(), new Linear(ch * side * side, classes, init));
      return new Sequential(...layers);
    }
    case 'alexnet':
      return alexNet({ inChannels: c, imageSize: size, classes, width: 0.5, fcWidth: 512, dropout: o.dropout, seed: o.seed * 16, init: o.init });
  }
}
