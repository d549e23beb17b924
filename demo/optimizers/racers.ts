// The optimizers of the race (lecture 002), each a configuration of the library's fused optimizer kernel, with
// the page's default hyperparameters, the sliders it shows and a line on what it does.
import { adagradConfig, adamConfig, rmspropConfig, sgdConfig } from '../../src/optim/config.js';
import type { OptimConfig } from '../../src/index.js';

export const RACER_IDS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type RacerId = (typeof RACER_IDS)[number];

/** A racer's hyperparameters: lr always; beta is momentum (SGD), alpha (RMSProp) or β1 (Adam); wd AdamW's decay. */
export interface RacerSettings {
  on: boolean;
  lr: number;
  beta: number;
  wd: number;
}

export interface Slider {
  key: 'lr' | 'beta' | 'wd';
  label: string;
  /** log10 scale for learning rates. */
  log: boolean;
  min: number;
  max: number;
}

export interface RacerInfo {
  id: RacerId;
  label: string;
  colour: string;
  defaults: RacerSettings;
  sliders: readonly Slider[];
  /** What it does, in the lecture's terms. */
  note: string;
  config(s: RacerSettings): OptimConfig;
}

const LR: Slider = { key: 'lr', label: 'η', log: true, min: -5, max: 0 };
const MOMENTUM: Slider = { key: 'beta', label: 'momentum α', log: false, min: 0, max: 0.99 };

export const RACERS: readonly RacerInfo[] = [
  {
    id: 'sgd', label: 'SGD', colour: '#e6194b', defaults: { on: true, lr: 5e-4, beta: 0, wd: 0 }, sliders: [LR],
    note: 'w −= η∇f. One step size for every direction: small enough for the steep wall, so it crawls along the flat valley.',
    config: (s) => sgdConfig({ lr: s.lr }),
  },
  {
    id: 'momentum', label: 'Momentum', colour: '#f58231', defaults: { on: true, lr: 1e-4, beta: 0.9, wd: 0 }, sliders: [LR, MOMENTUM],
    note: 'h = αh + η∇f, w −= h: a heavy ball. Steps that agree add up (fast along the valley), steps that flip sign cancel.',
    config: (s) => sgdConfig({ lr: s.lr, momentum: s.beta }),
  },
  {
    id: 'nesterov', label: 'Nesterov', colour: '#ffe119', defaults: { on: true, lr: 1e-4, beta: 0.9, wd: 0 }, sliders: [LR, MOMENTUM],
    note: 'The gradient is taken where the momentum is about to carry w (PyTorch form): it brakes before overshooting.',
    config: (s) => sgdConfig({ lr: s.lr, momentum: s.beta, nesterov: true }),
  },
  {
    id: 'adagrad', label: 'AdaGrad', colour: '#3cb44b', defaults: { on: true, lr: 0.5, beta: 0, wd: 0 }, sliders: [LR],
    note: 'G += g², w −= ηg/√G: per-coordinate step sizes. G only grows, so the steps keep shrinking and it slows down.',
    config: (s) => adagradConfig({ lr: s.lr }),
  },
  {
    id: 'rmsprop', label: 'RMSProp', colour: '#42d4f4', defaults: { on: true, lr: 0.003, beta: 0.99, wd: 0 },
    sliders: [LR, { key: 'beta', label: 'decay α', log: false, min: 0, max: 0.999 }],
    note: 'G = αG + (1−α)g²: AdaGrad with a moving average, so old gradients are forgotten and it does not stall. α = 0.99 (PyTorch); the lecture\'s 0.9 forgets so fast that on Rosenbrock it bounces between the walls.',
    config: (s) => rmspropConfig({ lr: s.lr, alpha: s.beta }),
  },
  {
    id: 'adam', label: 'Adam', colour: '#4363d8', defaults: { on: true, lr: 0.05, beta: 0.9, wd: 0 },
    sliders: [LR, { key: 'beta', label: 'β₁', log: false, min: 0, max: 0.99 }],
    note: 'Momentum on g and RMSProp on g², both bias-corrected (β₂ = 0.999): steps of about η in every direction.',
    config: (s) => adamConfig({ lr: s.lr, betas: [s.beta, 0.999] }),
  },
  {
    id: 'adamw', label: 'AdamW', colour: '#911eb4', defaults: { on: true, lr: 0.05, beta: 0.9, wd: 0.01 },
    sliders: [LR, { key: 'beta', label: 'β₁', log: false, min: 0, max: 0.99 }, { key: 'wd', label: 'decay λ', log: false, min: 0, max: 0.5 }],
    note: 'Adam with decoupled weight decay w −= ηλw: pulled towards the origin whatever the gradient says.',
    config: (s) => adamConfig({ lr: s.lr, betas: [s.beta, 0.999], weightDecay: s.wd }, true),
  },
];

export function racer(id: RacerId): RacerInfo {
  return RACERS.find((r) => r.id === id)!;
}
