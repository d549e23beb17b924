// One training setup as a plain, flat, serialisable object: the same keys are `npm run train`'s flags
// (--batch-size for batchSize), the Studio's URL parameters (?batchSize=…) and the Studio worker's messages,
// so a CLI command and a Studio link describe the same run.
import { ArgumentError } from '../../src/errors.js';
import type { InitScheme } from '../../src/nn/init.js';
import { formatUrlValue, parseUrlValue, urlQuery } from '../../demo/shared/url-state.js';

/** src/nn/init.ts's INIT_SCHEMES, repeated so the CLI's flag parsing loads no GPU code (a test keeps them equal). */
export const INIT_KINDS: readonly InitScheme[] = ['pytorch', 'small', 'xavier', 'glorot', 'he', 'zeros'];
export const MODEL_KINDS = ['logreg', 'mlp', 'lenet5', 'vgg', 'alexnet'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'leakyRelu', 'elu', 'gelu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
/** 'momentum' and 'nesterov' are SGD with momentum (PyTorch's SGD(momentum=…, nesterov=…)). */
export const OPTIMIZER_KINDS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZER_KINDS)[number];
/** constant; power: η₀/t^power; step: ×gamma every stepEvery epochs; cosine: annealed to 0 over the run. */
export const SCHEDULE_KINDS = ['constant', 'power', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULE_KINDS)[number];

/** Which options a model kind reads (the Studio greys out the others). Here, not in models.ts: the Studio's main
 * thread reads it and must not load the library (tests/node/studio-main-graph.test.ts). */
export function modelOptionKeys(kind: ModelKind): string[] {
  switch (kind) {
    case 'logreg': return ['init'];
    case 'mlp': return ['hidden', 'activation', 'init', 'dropout', 'batchNorm'];
    case 'lenet5': case 'vgg': return ['activation', 'init', 'dropout', 'batchNorm'];
    case 'alexnet': return ['init', 'dropout'];
  }
}

export interface SessionOptions {
  [key: string]: string | number | boolean | number[];
  model: ModelKind;
  /** MLP hidden layer sizes. */
  hidden: number[];
  /** Activation of the MLP, LeNet-5 and VGG (AlexNet keeps ReLU). */
  activation: ActivationName;
  init: InitScheme;
  /** Dropout probability before each hidden fully connected layer's activation output (0: no dropout layers). */
  dropout: number;
  /** Batch norm after each hidden linear/conv layer (MLP, LeNet-5, VGG; AlexNet has none). */
  batchNorm: boolean;
  optimizer: OptimizerName;
  lr: number;
  /** SGD momentum ('momentum', 'nesterov'; RMSProp runs without momentum, PyTorch's default). */
  momentum: number;
  /** Adam/AdamW β1, β2; RMSProp's smoothing constant α. */
  beta1: number;
  beta2: number;
  alpha: number;
  eps: number;
  /** L2 penalty (PyTorch's weight_decay; AdamW: decoupled decay). */
  l2: number;
  schedule: ScheduleName;
  /** 'power' schedule exponent (lecture: 0.3). */
  power: number;
  /** 'step' schedule: epochs between decays, and the factor. */
  stepEvery: number;
  gamma: number;
  /** Linear warm-up over this many steps in front of the schedule (0: none). */
  warmup: number;
  batchSize: number;
  epochs: number;
  /** Training samples used, taken from the front of the training set (0: all); the validation part comes out of them. */
  subset: number;
  valFraction: number;
  seed: number;
}

/** The CLI's quick default run: LeNet-5, 1 epoch on 2000 images, batch 64, Adam. */
export const DEFAULT_OPTIONS: Readonly<SessionOptions> = Object.freeze({
  model: 'lenet5', hidden: [512, 512], activation: 'relu', init: 'pytorch', dropout: 0, batchNorm: false,
  optimizer: 'adam', lr: 1e-3, momentum: 0.9, beta1: 0.9, beta2: 0.999, alpha: 0.99, eps: 1e-8, l2: 0,
  schedule: 'constant', power: 0.3, stepEvery: 1, gamma: 0.1, warmup: 0,
  batchSize: 64, epochs: 1, subset: 2000, valFraction: 0.1, seed: 1,
}) as Readonly<SessionOptions>;

/** The usual learning rate of each optimizer (the CLI's default when --lr is not given). */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = {
  sgd: 0.05, momentum: 0.01, nesterov: 0.01, adagrad: 0.01, rmsprop: 1e-3, adam: 1e-3, adamw: 1e-3,
};

export const MAX_BATCH_SIZE = 512;

type Rule = { check: (v: never) => boolean; rule: string };
const int = (lo: number, hi = Infinity): Rule => ({ check: ((v: number) => Number.isInteger(v) && v >= lo && v <= hi) as (v: never) => boolean, rule: hi === Infinity ? `an integer ≥ ${lo}` : `an integer from ${lo} to ${hi}` });
const real = (ok: (v: number) => boolean, rule: string): Rule => ({ check: ((v: number) => Number.isFinite(v) && ok(v)) as (v: never) => boolean, rule });
const oneOf = (xs: readonly string[]): Rule => ({ check: ((v: string) => xs.includes(v)) as (v: never) => boolean, rule: `one of ${xs.join(', ')}` });

const RULES: Record<keyof SessionOptions & string, Rule> = {
  model: oneOf(MODEL_KINDS), activation: oneOf(ACTIVATIONS), init: oneOf(INIT_KINDS), optimizer: oneOf(OPTIMIZER_KINDS), schedule: oneOf(SCHEDULE_KINDS),
  hidden: { check: ((v: number[]) => Array.isArray(v) && v.every((h) => Number.isInteger(h) && h >= 1 && h <= 65536)) as (v: never) => boolean, rule: 'a comma-separated list of positive integers' },
  batchNorm: { check: ((v: boolean) => typeof v === 'boolean') as (v: never) => boolean, rule: 'true or false' },
  dropout: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  lr: real((v) => v >= 0, 'a non-negative number'),
  momentum: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  beta1: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  beta2: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  alpha: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  eps: real((v) => v > 0, 'a positive number'),
  l2: real((v) => v >= 0, 'a non-negative number'),
  power: real((v) => v >= 0, 'a non-negative number'),
  stepEvery: int(1), gamma: real((v) => v > 0 && v <= 1, 'above 0 and at most 1'), warmup: int(0),
  batchSize: int(1, MAX_BATCH_SIZE), epochs: int(1), subset: int(0),
  valFraction: real((v) => v >= 0 && v < 1, 'at least 0 and below 1'),
  seed: int(0, 2 ** 32 - 1),
};

/** The option keys, in a stable order (flags, URL, help). */
export const OPTION_KEYS = Object.keys(DEFAULT_OPTIONS) as (keyof SessionOptions & string)[];

/** Defaults filled in and every value checked; throws ArgumentError('session', …) naming the key and the rule. */
export function resolveOptions(partial: Partial<SessionOptions> = {}): SessionOptions {
  const out = { ...DEFAULT_OPTIONS, ...partial } as SessionOptions;
  for (const key of Object.keys(partial)) if (!(key in RULES)) throw new ArgumentError('session', `unknown option '${key}' (known: ${OPTION_KEYS.join(', ')})`);
  for (const key of OPTION_KEYS) {
    const { check, rule } = RULES[key];
    if (!check(out[key] as never)) throw new ArgumentError('session', `${key} must be ${rule}, got ${formatUrlValue(out[key]!)}`);
  }
  out.hidden = [...out.hidden];
  return out;
}

/** camelCase key → the CLI flag (batchSize → --batch-size). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The CLI flag name (without dashes) → the option key, or undefined. */
export function keyOfFlag(flag: string): (keyof SessionOptions & string) | undefined {
  const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return (OPTION_KEYS as string[]).includes(key) ? (key as keyof SessionOptions & string) : undefined;
}

/** Parses one option's text (a flag's or a URL parameter's value) by the type of its default; throws ArgumentError. */
export function parseOptionValue(key: keyof SessionOptions & string, raw: string): SessionOptions[typeof key] {
  const v = parseUrlValue(raw, DEFAULT_OPTIONS[key]!);
  if (v === undefined || !RULES[key].check(v as never)) throw new ArgumentError('session', `${key} must be ${RULES[key].rule}, got ${raw}`);
  return v;
}

/** The query string (without '?') of the values that differ from the defaults, e.g. 'model=mlp&hidden=128,64'. */
export function optionsToQuery(options: SessionOptions): string {
  return urlQuery(options, DEFAULT_OPTIONS as SessionOptions);
}

/**
 * The options a query string describes (defaults for absent keys). Unknown keys (the page's own, like
 * `hide`) are ignored; a malformed value throws ArgumentError naming the key, unless `warn` is given, which
 * then receives the message and the default stays.
 */
export function optionsFromQuery(search: string, warn?: (message: string) => void): SessionOptions {
  const q = new URLSearchParams(search);
  const partial: Partial<SessionOptions> = {};
  for (const key of OPTION_KEYS) {
    const raw = q.get(key);
    if (raw === null) continue;
    try {
      (partial as Record<string, unknown>)[key] = parseOptionValue(key, raw);
    } catch (e) {
      if (!warn) throw e;
      warn((e as Error).message);
    }
  }
  return resolveOptions(partial);
}

/** The CLI flags of the values that differ from the defaults (booleans as bare flags / --no-…). */
export function optionsToArgs(options: SessionOptions): string[] {
  const args: string[] = [];
  for (const key of OPTION_KEYS) {
    const v = options[key]!, def = DEFAULT_OPTIONS[key]!;
    if (formatUrlValue(v) === formatUrlValue(def)) continue;
    if (typeof v === 'boolean') args.push(v ? flagOf(key) : `--no-${flagOf(key).slice(2)}`);
    else args.push(flagOf(key), formatUrlValue(v));
  }
  return args;
}

export const STUDIO_URL = 'http://localhost:5173/studio/';

/** The Studio page that sets up the same run. */
export function studioUrl(options: SessionOptions, base = STUDIO_URL): string {
  const q = optionsToQuery(options);
  return q ? `${base}?${q}` : base;
}

/** The `npm run train` command for the setup a Studio URL (or its query) describes. */
export function commandFromUrl(url: string, command = 'npm run train --'): string {
  const search = url.includes('?') ? url.slice(url.indexOf('?')) : url;
  return [command, ...optionsToArgs(optionsFromQuery(search))].join(' ');
}

/** Options whose change needs a new model, optimizer or compiled step; the others are live (Trainer setters). */
const REPLAN_KEYS: readonly string[] = [
  'model', 'hidden', 'activation', 'init', 'batchNorm', 'optimizer', 'beta1', 'beta2', 'alpha', 'eps',
  'schedule', 'power', 'stepEvery', 'gamma', 'warmup', 'batchSize', 'subset', 'valFraction', 'seed',
];

/** Re-planning keys a Trainer takes in place, keeping its weights and optimizer state (Trainer.setBatchSize). */
export const REPLAN_IN_PLACE: readonly string[] = ['batchSize'];

/** Optimizers that read the `momentum` option. */
export const USES_MOMENTUM: readonly OptimizerName[] = ['momentum', 'nesterov'];

/**
 * The keys that differ between the setup a trainer was built with and a new one, and cannot be applied to
 * it live: a new session is needed (model, optimizer, batch size, data…). lr and l2 are always live, and
 * epochs unless the cosine schedule spans them;
 * dropout unless the model was built without dropout layers (dropout 0); momentum unless it was built at 0
 * (plain SGD and momentum SGD are different kernels; back to 0 is live: the momentum kernel at 0 is plain SGD).
 */
export function replanKeys(built: SessionOptions, to: SessionOptions): string[] {
  const keys = REPLAN_KEYS.filter((k) => formatUrlValue(built[k]!) !== formatUrlValue(to[k]!));
  if (built.epochs !== to.epochs && built.schedule === 'cosine') keys.push('epochs');
  if (built.dropout === 0 && to.dropout !== 0) keys.push('dropout');
  if (USES_MOMENTUM.includes(built.optimizer) && built.momentum === 0 && to.momentum !== 0) keys.push('momentum');
  return keys;
}
