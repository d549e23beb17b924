// Setup → model, optimizer and learning-rate schedule, with the library. This is the part the shared training-session
// module (app/session/, branch i11b) takes over once it lands; until then the Studio builds its runs here.
import {
  Adam, AdamW, AdaGrad, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, ELU, Flatten, GELU, LeakyReLU, Linear, MaxPool2d, ReLU,
  RMSProp, SGD, Sequential, Sigmoid, Tanh, constantLr, cosineAnnealing, powerDecay, stepDecay, warmup,
  type LrSchedule, type Module, type Optimizer,
} from '../../src/index.js';
import type { OptimConfig } from '../../src/optim/config.js';
import type { ActivationName, StudioSetup } from './setup.js';

export const CLASSES = 10;
const SIDE = 28;

function activation(name: ActivationName): Module {
  switch (name) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'leakyrelu': return new LeakyReLU(0.01);
    case 'elu': return new ELU();
    case 'gelu': return new GELU();
  }
}

/**
 * The chosen architecture for 1×28×28 inputs and 10 classes. Dropout layers sit where the model has them even at
 * p = 0 (they then pass the input through), so a dropout change re-plans the step instead of rebuilding the model.
 */
export function buildModel(s: StudioSetup): Sequential {
  const init = { init: s.init };
  const act = () => activation(s.act);
  const drop = (i: number) => new Dropout(s.dropout, { seed: s.seed * 101 + i });
  const convBlock = (cin: number, cout: number, k: number, pad: number): Module[] =>
    s.bn ? [new Conv2d(cin, cout, k, { padding: pad, bias: false, ...init }), new BatchNorm2d(cout), act()] : [new Conv2d(cin, cout, k, { padding: pad, ...init }), act()];
  const fc = (i: number, n: number, o: number): Module[] =>
    s.bn ? [new Linear(n, o, { bias: false, ...init }), new BatchNorm1d(o), act(), drop(i)] : [new Linear(n, o, init), act(), drop(i)];
  switch (s.model) {
    case 'logreg':
      return new Sequential(new Flatten(), new Linear(SIDE * SIDE, CLASSES, init));
    case 'mlp': {
      const layers: Module[] = [new Flatten()];
      let n = SIDE * SIDE;
      s.hidden.forEach((h, i) => { layers.push(...fc(i, n, h)); n = h; });
      return new Sequential(...layers, new Linear(n, CLASSES, init));
    }
    case 'lenet5':
      return new Sequential(
        ...convBlock(1, 6, 5, 2), new MaxPool2d({ kernelSize: 2 }),
        ...convBlock(6, 16, 5, 0), new MaxPool2d({ kernelSize: 2 }),
        new Flatten(), ...fc(0, 16 * 5 * 5, 120), ...fc(1, 120, 84), new Linear(84, CLASSES, init),
      );
    case 'vgg':
      // A small VGG (conv3×3 pairs, pools) sized for 28×28: 28 → 14 → 7 → 3.
      return new Sequential(
        ...convBlock(1, 16, 3, 1), ...convBlock(16, 16, 3, 1), new MaxPool2d({ kernelSize: 2 }),
        ...convBlock(16, 32, 3, 1), ...convBlock(32, 32, 3, 1), new MaxPool2d({ kernelSize: 2 }),
        ...convBlock(32, 64, 3, 1), new MaxPool2d({ kernelSize: 2 }),
        new Flatten(), new Linear(64 * 3 * 3, CLASSES, init),
      );
    case 'alexnet':
      // AlexNet's shape (5×5 then 3×3 convs, overlapping 3×3/2 pools, two wide FC layers with dropout) at a quarter width: 28 → 13 → 6 → 2.
      return new Sequential(
        ...convBlock(1, 16, 5, 2), new MaxPool2d({ kernelSize: 3, stride: 2 }),
        ...convBlock(16, 48, 5, 2), new MaxPool2d({ kernelSize: 3, stride: 2 }),
        ...convBlock(48, 96, 3, 1), ...convBlock(96, 64, 3, 1), ...convBlock(64, 64, 3, 1), new MaxPool2d({ kernelSize: 3, stride: 2 }),
        new Flatten(), drop(10), ...fc(0, 64 * 2 * 2, 256), new Linear(256, CLASSES, init),
      );
  }
}

export function buildSchedule(s: StudioSetup, totalSteps: number): LrSchedule {
  switch (s.schedule) {
    case 'constant': return constantLr();
    case 'power': return powerDecay(s.decay);
    case 'step': return stepDecay(s.decaySteps, s.decay);
    case 'cosine': return cosineAnnealing(Math.max(1, totalSteps));
    case 'warmup': return warmup(s.decaySteps, cosineAnnealing(Math.max(1, totalSteps - s.decaySteps)));
  }
}

export function buildOptimizer(model: Module, s: StudioSetup, totalSteps: number): Optimizer {
  const params = model.parameters(), schedule = buildSchedule(s, totalSteps);
  const betas = [s.beta1, s.beta2] as const;
  switch (s.opt) {
    case 'sgd': return new SGD(params, { lr: s.lr, weightDecay: s.wd, schedule });
    case 'momentum': return new SGD(params, { lr: s.lr, momentum: s.momentum, weightDecay: s.wd, schedule });
    case 'nesterov': return new SGD(params, { lr: s.lr, momentum: s.momentum, nesterov: true, weightDecay: s.wd, schedule });
    case 'adagrad': return new AdaGrad(params, { lr: s.lr, weightDecay: s.wd, schedule });
    case 'rmsprop': return new RMSProp(params, { lr: s.lr, alpha: s.beta2, weightDecay: s.wd, schedule });
    case 'adam': return new Adam(params, { lr: s.lr, betas, weightDecay: s.wd, schedule });
    case 'adamw': return new AdamW(params, { lr: s.lr, betas, weightDecay: s.wd, schedule });
  }
}

/**
 * New hyperparameter values for a running optimizer. The optimizer reads its config and schedule when each replay
 * uploads the step's hyperparameters, so the compiled step keeps its plan.
 * (A public `optimizer.setHyperparameters()` in the library would replace this write into `config`.)
 */
export function applyLiveSetup(optimizer: Optimizer, s: StudioSetup, totalSteps: number): void {
  optimizer.setLr(s.lr);
  optimizer.schedule = buildSchedule(s, totalSteps);
  const c = optimizer.config as OptimConfig;
  c.weightDecay = s.wd;
  if (s.opt === 'momentum' || s.opt === 'nesterov') c.momentum = s.momentum;
  if (s.opt === 'adam' || s.opt === 'adamw') { c.beta1 = s.beta1; c.beta2 = s.beta2; }
  if (s.opt === 'rmsprop') c.beta2 = s.beta2;
}

/** Sets every Dropout's rate (the step must be re-planned afterwards: the rate is a uniform recorded in the plan). */
export function setDropout(model: Sequential, p: number): void {
  for (const m of model.layers) if (m instanceof Dropout) (m as { p: number }).p = p;
}
