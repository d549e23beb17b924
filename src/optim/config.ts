import { ArgumentError } from '../errors.js';

/** The update rule; SGD covers plain, momentum (with dampening) and Nesterov. */
export type OptimizerKind = 'sgd' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw';

/** torch.optim.SGD. `lr` has no default, as in PyTorch. */
export interface SGDOptions {
  lr: number;
  /** 0 (plain SGD) by default. */
  momentum?: number;
  /**
   * 0 by default. The lecture's EMA form V = βV + (1−β)·dw, w −= αV is momentum = β, dampening = 1 − β,
   * lr = α — except on the first step, where PyTorch (and this library) start the buffer at the gradient
   * itself, V₁ = dw, while the lecture's V₀ = 0 gives V₁ = (1−β)·dw.
   */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient, 0 by default. */
  weightDecay?: number;
}

/** torch.optim.Adagrad. */
export interface AdaGradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/** torch.optim.RMSprop (momentum and centered supported). */
export interface RMSPropOptions {
  lr?: number;
  /** Smoothing constant (the lecture's β; PyTorch default 0.99, the lecture suggests ≈ 0.9). */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

/**
 * torch.optim.Adam / AdamW (amsgrad not supported). Unlike the lecture's √(S + ε), eps is added after the
 * square root, as in PyTorch.
 */
export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay p ← p·(1 − lr·wd) (default 1e-2). */
  weightDecay?: number;
}

/** Every hyperparameter resolved to its value (PyTorch defaults filled in). */
export interface OptimConfig {
  kind: OptimizerKind;
  lr: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** Adam β1. */
  beta1: number;
  /** Adam β2; RMSProp α. */
  beta2: number;
  eps: number;
  lrDecay: number;
  initialAccumulatorValue: number;
  centered: boolean;
}

const BASE: OptimConfig = {
  kind: 'sgd', lr: 0, weightDecay: 0, momentum: 0, dampening: 0, nesterov: false, beta1: 0, beta2: 0, eps: 0, lrDecay: 0, initialAccumulatorValue: 0, centered: false,
};

function check(op: string, name: string, value: number, ok: boolean): void {
  if (!Number.isFinite(value) || !ok) throw new ArgumentError(op, `invalid ${name}: ${value}`);
}

export function sgdConfig(o: SGDOptions): OptimConfig {
  const c: OptimConfig = { ...BASE, kind: 'sgd', lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, nesterov: o.nesterov ?? false, weightDecay: o.weightDecay ?? 0 };
  check('SGD', 'lr', c.lr, c.lr >= 0);
  check('SGD', 'momentum', c.momentum, c.momentum >= 0);
  check('SGD', 'dampening', c.dampening, true);
  check('SGD', 'weightDecay', c.weightDecay, c.weightDecay >= 0);
  if (c.nesterov && (c.momentum <= 0 || c.dampening !== 0)) throw new ArgumentError('SGD', 'Nesterov momentum requires a momentum and zero dampening');
  return c;
}

export function adagradConfig(o: AdaGradOptions = {}): OptimConfig {
  const c: OptimConfig = { ...BASE, kind: 'adagrad', lr: o.lr ?? 1e-2, lrDecay: o.lrDecay ?? 0, weightDecay: o.weightDecay ?? 0, initialAccumulatorValue: o.initialAccumulatorValue ?? 0, eps: o.eps ?? 1e-10 };
  check('AdaGrad', 'lr', c.lr, c.lr >= 0);
  check('AdaGrad', 'lrDecay', c.lrDecay, c.lrDecay >= 0);
  check('AdaGrad', 'weightDecay', c.weightDecay, c.weightDecay >= 0);
  check('AdaGrad', 'initialAccumulatorValue', c.initialAccumulatorValue, c.initialAccumulatorValue >= 0);
  check('AdaGrad', 'eps', c.eps, c.eps >= 0);
  return c;
}

export function rmspropConfig(o: RMSPropOptions = {}): OptimConfig {
  const c: OptimConfig = { ...BASE, kind: 'rmsprop', lr: o.lr ?? 1e-2, beta2: o.alpha ?? 0.99, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, momentum: o.momentum ?? 0, centered: o.centered ?? false };
  check('RMSProp', 'lr', c.lr, c.lr >= 0);
  check('RMSProp', 'alpha', c.beta2, c.beta2 >= 0);
  check('RMSProp', 'eps', c.eps, c.eps >= 0);
  check('RMSProp', 'weightDecay', c.weightDecay, c.weightDecay >= 0);
  check('RMSProp', 'momentum', c.momentum, c.momentum >= 0);
  return c;
}

export function adamConfig(o: AdamOptions = {}, decoupled = false): OptimConfig {
  const op = decoupled ? 'AdamW' : 'Adam';
  const [beta1, beta2] = o.betas ?? [0.9, 0.999];
  const c: OptimConfig = { ...BASE, kind: decoupled ? 'adamw' : 'adam', lr: o.lr ?? 1e-3, beta1, beta2, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? (decoupled ? 1e-2 : 0) };
  check(op, 'lr', c.lr, c.lr >= 0);
  check(op, 'beta1', beta1, beta1 >= 0 && beta1 < 1);
  check(op, 'beta2', beta2, beta2 >= 0 && beta2 < 1);
  check(op, 'eps', c.eps, c.eps >= 0);
  check(op, 'weightDecay', c.weightDecay, c.weightDecay >= 0);
  return c;
}

/**
 * The state buffers, in the kernel's slot order (s1, s2, s3), by their PyTorch state names; null for a
 * slot this configuration does not use.
 */
export function stateSlots(c: OptimConfig): readonly (string | null)[] {
  switch (c.kind) {
    case 'sgd': return [c.momentum > 0 ? 'momentum_buffer' : null, null, null];
    case 'adagrad': return ['sum', null, null];
    case 'rmsprop': return ['square_avg', c.momentum > 0 ? 'momentum_buffer' : null, c.centered ? 'grad_avg' : null];
    case 'adam':
    case 'adamw': return ['exp_avg', 'exp_avg_sq', null];
  }
}
