// The classification playground's network settings, their defaults and checks, and the evaluation grid: plain data
// shared by the page and the worker (the page does not load the library).
import { ArgumentError } from '../../src/errors.js';
import type { InitScheme } from '../../src/nn/init.js';

/** The library's initialization schemes (src/nn/init.ts INIT_SCHEMES), listed here so the page need not load it. */
export const INITS = ['pytorch', 'small', 'xavier', 'glorot', 'he', 'zeros'] as const satisfies readonly InitScheme[];
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyrelu', 'elu'] as const;
export type ActivationId = (typeof ACTIVATIONS)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerId = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'power', 'step', 'cosine', 'warmup'] as const;
export type ScheduleId = (typeof SCHEDULES)[number];

export interface NetworkSettings {
  /** Hidden layers (0: logistic regression). */
  depth: number;
  width: number;
  activation: ActivationId;
  init: InitScheme;
  /** Dropout probability after each hidden layer (PyTorch's p, the drop probability). */
  dropout: number;
  batchNorm: boolean;
  optimizer: OptimizerId;
  lr: number;
  schedule: ScheduleId;
  /** The lecture's L2 penalty λ·Σw² over the weights (not the biases). */
  l2: number;
  batch: number;
  /** Weights and batch order. */
  seed: number;
}

export const NETWORK_DEFAULTS: NetworkSettings = {
  depth: 3, width: 16, activation: 'relu', init: 'he', dropout: 0, batchNorm: false,
  optimizer: 'adam', lr: 0.03, schedule: 'constant', l2: 0, batch: 32, seed: 1,
};

/** Steps over which the cosine schedule anneals, and the step decay's period. */
export const SCHEDULE_STEPS = 2000;

export interface Evaluation {
  /** Class probabilities over the grid, [cells, classes] row-major. */
  probs: Float32Array;
  /** Each hidden layer's outputs over the grid, [cells, width]. */
  hidden: Float32Array[];
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  /** NaN without test points. */
  testAccuracy: number;
}

/** Refuses settings the network cannot be built or trained with, before any GPU work. */
export function checkSettings(s: NetworkSettings, classes: number, trainPoints: number): void {
  const bad = (detail: string) => { throw new ArgumentError('Classifier', detail); };
  if (!Number.isInteger(s.depth) || s.depth < 0) bad(`depth must be an integer ≥ 0, got ${s.depth}`);
  if (!Number.isInteger(s.width) || s.width < 1) bad(`width must be an integer ≥ 1, got ${s.width}`);
  if (!Number.isInteger(classes) || classes < 2) bad(`needs at least 2 classes, got ${classes}`);
  if (!Number.isInteger(s.batch) || s.batch < 1) bad(`batch must be an integer ≥ 1, got ${s.batch}`);
  if (s.batchNorm && Math.min(s.batch, trainPoints) < 2) bad(`batch norm needs batches of at least 2 points, got ${Math.min(s.batch, trainPoints)}`);
  if (trainPoints < 1) bad('needs at least one training point');
  if (!(s.dropout >= 0 && s.dropout < 1)) bad(`dropout p must be in [0, 1), got ${s.dropout}`);
  if (!(s.l2 >= 0 && Number.isFinite(s.l2))) bad(`l2 must be a finite λ ≥ 0, got ${s.l2}`);
  if (!(s.lr > 0 && Number.isFinite(s.lr))) bad(`lr must be positive, got ${s.lr}`);
  if (!(ACTIVATIONS as readonly string[]).includes(s.activation)) bad(`unknown activation '${s.activation}' (expected ${ACTIVATIONS.join(', ')})`);
  if (!(OPTIMIZERS as readonly string[]).includes(s.optimizer)) bad(`unknown optimizer '${s.optimizer}' (expected ${OPTIMIZERS.join(', ')})`);
  if (!(SCHEDULES as readonly string[]).includes(s.schedule)) bad(`unknown schedule '${s.schedule}' (expected ${SCHEDULES.join(', ')})`);
}

/** Centres of a side × side grid over [lo, hi]², row by row from the top (y = hi) down. */
export function gridPoints(side: number, lo: number, hi: number): Float32Array {
  const g = new Float32Array(2 * side * side);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      g[2 * i] = lo + ((c + 0.5) / side) * (hi - lo);
      g[2 * i + 1] = hi - ((r + 0.5) / side) * (hi - lo);
    }
  }
  return g;
}
