// The models `npm run search` can tune, built from a trial's configuration (its model keys: width, dropout…).
import { alexNet, lenet5, logisticRegression, mlp, smallVgg } from '../src/nn/models.js';
import type { Module } from '../src/nn/module.js';
import type { TrialConfig } from '../src/search/space.js';
import type { ModelKind as ModelName } from '../app/session/options.js';

const n = (c: TrialConfig, key: string, fallback: number): number => (c[key] === undefined ? fallback : Number(c[key]));

/** Fashion-MNIST (1×28×28, 10 classes) models; without model keys they are `npm run train`'s. */
export function searchModel(name: ModelName, c: TrialConfig): Module {
  switch (name) {
    case 'mlp': {
      const w = n(c, 'width', 512);
      return mlp([784, w, w, 10], { dropout: n(c, 'dropout', 0) });
    }
    case 'lenet5': return lenet5();
    case 'logreg': return logisticRegression(784, 10);
    case 'vgg': return smallVgg({ inChannels: 1, imageSize: 28 });
    case 'alexnet': return alexNet({ inChannels: 1, imageSize: 28, width: n(c, 'width', 0.5), fcWidth: n(c, 'fcWidth', 512), dropout: c.dropout === undefined ? undefined : Number(c.dropout) });
  }
}
