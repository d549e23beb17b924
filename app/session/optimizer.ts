// The optimizer and learning-rate schedule a session's options describe.
import type { Tensor } from '../../src/tensor.js';
import { AdaGrad, Adam, AdamW, RMSProp, SGD, type Optimizer } from '../../src/optim/optimizer.js';
import { constantLr, cosineAnnealing, powerDecay, stepDecay, warmup, type LrSchedule } from '../../src/optim/schedules.js';
import type { SessionOptions } from './options.js';

/** The schedule over a run of `stepsPerEpoch × epochs` updates ('step' decays every `stepEvery` epochs). */
export function buildSchedule(o: SessionOptions, stepsPerEpoch: number): LrSchedule {
  const total = Math.max(1, o.epochs * stepsPerEpoch);
  const inner = o.schedule === 'power' ? powerDecay(o.power)
    : o.schedule === 'step' ? stepDecay(o.stepEvery * stepsPerEpoch, o.gamma)
      : o.schedule === 'cosine' ? cosineAnnealing(total)
        : constantLr();
  return o.warmup > 0 ? warmup(o.warmup, inner) : inner;
}

export function buildOptimizer(params: readonly Tensor[], o: SessionOptions, stepsPerEpoch: number): Optimizer {
  const schedule = buildSchedule(o, stepsPerEpoch);
  const common = { lr: o.lr, weightDecay: o.l2, schedule };
  switch (o.optimizer) {
    case 'sgd': return new SGD(params, common);
    case 'momentum': return new SGD(params, { ...common, momentum: o.momentum });
    case 'nesterov': return new SGD(params, { ...common, momentum: o.momentum, nesterov: o.momentum > 0 });
    case 'adagrad': return new AdaGrad(params, { ...common, eps: o.eps });
    case 'rmsprop': return new RMSProp(params, { ...common, alpha: o.alpha, eps: o.eps });
    case 'adam': return new Adam(params, { ...common, betas: [o.beta1, o.beta2], eps: o.eps });
    case 'adamw': return new AdamW(params, { ...common, betas: [o.beta1, o.beta2], eps: o.eps });
  }
}
