// The Studio's whole setup: one flat record whose keys are the URL's query parameters (a teacher shares a link),
// read on load, written back on every change. Pure data, shared by the page and the worker.
export const MODELS = ['logreg', 'mlp', 'lenet5', 'vgg', 'alexnet'] as const;
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyrelu', 'elu', 'gelu'] as const;
export const INITS = ['pytorch', 'small', 'xavier', 'he'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export const SCHEDULES = ['constant', 'power', 'step', 'cosine', 'warmup'] as const;
export const DATA_SOURCES = ['auto', 'served', 'sample'] as const;

export type ModelKind = (typeof MODELS)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];
export type InitName = (typeof INITS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type ScheduleName = (typeof SCHEDULES)[number];
export type DataSource = (typeof DATA_SOURCES)[number];

export interface StudioSetup {
  [key: string]: string | number | boolean | number[];
  model: ModelKind;
  /** Hidden layer sizes of the MLP. */
  hidden: number[];
  act: ActivationName;
  init: InitName;
  dropout: number;
  bn: boolean;
  opt: OptimizerName;
  lr: number;
  momentum: number;
  /** Adam β1 / β2; RMSProp's α is beta2. */
  beta1: number;
  beta2: number;
  /** L2 (weight decay; decoupled for AdamW). */
  wd: number;
  schedule: ScheduleName;
  /** η₀/t^p's p; step decay's γ. */
  decay: number;
  /** Step decay's step size and warm-up's length, in updates. */
  decaySteps: number;
  batch: number;
  epochs: number;
  /** Training-subset size (the validation part is taken from it). */
  subset: number;
  val: number;
  seed: number;
  data: DataSource;
}

export const DEFAULT_SETUP: StudioSetup = {
  model: 'lenet5', hidden: [128, 64], act: 'relu', init: 'pytorch', dropout: 0, bn: false,
  opt: 'adam', lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, wd: 0,
  schedule: 'constant', decay: 0.5, decaySteps: 200,
  batch: 32, epochs: 5, subset: 2000, val: 0.1, seed: 0, data: 'auto',
};

/** Keys the running step takes as new data: hyperparameters and the schedule reach the GPU per step (no re-planning). */
export const LIVE_KEYS = ['lr', 'momentum', 'beta1', 'beta2', 'wd', 'schedule', 'decay', 'decaySteps'] as const;
/** Keys that re-plan the step over the same weights and optimizer state (a new batch shape, a new dropout rate). */
export const REPLAN_KEYS = ['batch', 'dropout', 'epochs'] as const;

export type SetupChange = 'none' | 'live' | 'replan' | 'rebuild';

/** What going from `a` to `b` takes: nothing, new hyperparameter values, a re-planned step, or a new run. */
export function setupChange(a: StudioSetup, b: StudioSetup): SetupChange {
  const changed = Object.keys(a).filter((k) => String(a[k]) !== String(b[k]));
  if (changed.length === 0) return 'none';
  // SGD's momentum 0 ↔ > 0 selects another kernel variant and allocates the momentum buffer: a new optimizer.
  if (a.opt === 'momentum' && (a.momentum === 0) !== (b.momentum === 0)) return 'rebuild';
  const live = new Set<string>(LIVE_KEYS), replan = new Set<string>(REPLAN_KEYS);
  if (changed.every((k) => live.has(k))) return 'live';
  if (changed.every((k) => live.has(k) || replan.has(k))) return 'replan';
  return 'rebuild';
}

/** What the setup fails, one message per problem ([] when it is valid). */
export function setupProblems(s: StudioSetup): string[] {
  const out: string[] = [];
  const oneOf = (key: string, v: string, allowed: readonly string[]) => { if (!allowed.includes(v)) out.push(`${key} must be one of ${allowed.join(', ')}, got ${v}`); };
  oneOf('model', s.model, MODELS);
  oneOf('act', s.act, ACTIVATIONS);
  oneOf('init', s.init, INITS);
  oneOf('opt', s.opt, OPTIMIZERS);
  oneOf('schedule', s.schedule, SCHEDULES);
  oneOf('data', s.data, DATA_SOURCES);
  const int = (key: string, v: number, lo: number, hi: number) => { if (!Number.isInteger(v) || v < lo || v > hi) out.push(`${key} must be an integer in [${lo}, ${hi}], got ${v}`); };
  int('batch', s.batch, 1, 512);
  int('epochs', s.epochs, 1, 1000);
  int('subset', s.subset, 20, 60000);
  int('seed', s.seed, 0, 2 ** 31 - 1);
  int('decaySteps', s.decaySteps, 1, 1e9);
  if (s.hidden.length === 0 || s.hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 4096)) out.push(`hidden must be 1 or more layer sizes in [1, 4096], got ${s.hidden.join(',')}`);
  if (!(s.lr > 0 && s.lr <= 10)) out.push(`lr must be in (0, 10], got ${s.lr}`);
  if (!(s.momentum >= 0 && s.momentum < 1)) out.push(`momentum must be in [0, 1), got ${s.momentum}`);
  if (s.opt === 'nesterov' && s.momentum === 0) out.push('Nesterov needs a momentum above 0');
  if (!(s.beta1 >= 0 && s.beta1 < 1) || !(s.beta2 >= 0 && s.beta2 < 1)) out.push(`beta1 and beta2 must be in [0, 1), got ${s.beta1}, ${s.beta2}`);
  if (!(s.wd >= 0 && s.wd <= 1)) out.push(`wd must be in [0, 1], got ${s.wd}`);
  if (!(s.dropout >= 0 && s.dropout < 1)) out.push(`dropout must be in [0, 1), got ${s.dropout}`);
  if (!(s.val > 0 && s.val < 0.9)) out.push(`val must be in (0, 0.9), got ${s.val}`);
  if (!(s.decay > 0 && s.decay <= 2)) out.push(`decay must be in (0, 2], got ${s.decay}`);
  return out;
}
