// `npm run train`'s flags: parsing, defaults and the help text (shared by the CLI and the in-process GPU entry).
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LR, DEFAULT_OPTIONS, flagOf, MODEL_KINDS, OPTION_KEYS, OPTIMIZER_KINDS, parseOptionValue, resolveOptions, SCHEDULE_KINDS,
  type ModelKind, type SessionOptions,
} from '../app/session/options.js';
import { FASHION_MNIST_DIR, FASHION_MNIST_FILES } from '../src/data/fashion-mnist.js';
import { readFileSync } from 'node:fs';
import { parseAugmentSpec, parseLayerList, parseTtaSpec } from '../src/augment/spec.js';
import type { TransferOptions } from '../app/session/transfer.js';

export const MODELS: readonly ModelKind[] = ['lenet5', 'mlp', 'logreg', 'vgg', 'alexnet'];
const OPTIMIZERS = OPTIMIZER_KINDS;
export const TRAIN_SAMPLES = 60000;
/** The quick default: a few minutes on a CPU-emulated GPU (SwiftShader); the help text gives the time measured. */
const QUICK = { model: 'lenet5' as ModelKind, epochs: 1, batchSize: 64, subset: 2000, testSubset: 2000 };
export const TEST_SAMPLES = 10000;

export const HELP = `Train a model on Fashion-MNIST with wgsl-nn and write a report.

usage: npm run train -- [flags]

  --model NAME       ${MODELS.join(' | ')} (default ${QUICK.model})
  --epochs N         passes over the training samples (default ${QUICK.epochs})
  --batch-size N     samples per step (default ${QUICK.batchSize})
  --lr X             learning rate (default: sgd ${DEFAULT_LR.sgd}, momentum ${DEFAULT_LR.momentum}, adam/adamw ${DEFAULT_LR.adam})
  --optimizer NAME   ${OPTIMIZERS.join(' | ')} (default adam)
  --schedule NAME    ${SCHEDULE_KINDS.join(' | ')} (η₀/t^power; ×gamma every --step-every epochs; cosine
                     annealing to 0 over the run; default constant)
  --subset N         train on the first N of the 60000 training images (default ${QUICK.subset})
  --test-subset N    score the first N of the 10000 test images (default ${QUICK.testSubset})
  --full             all 60000 training and all 10000 test images
  --val-fraction X   share of the training samples held out for validation (default 0.1)
  --seed N           initialization and shuffling seed (default 1)
  --out DIR          report folder (default runs/<timestamp>-<model>)
  --checkpoint-every N  write checkpoint-epoch-<e>.safetensors (weights and optimizer state) into the report
                     folder every N epochs (default: none; resume with loadModel + loadOptimizerState)
  --allow-non-finite keep training through a NaN/Inf loss (default: stop at the first one, naming epoch and
                     batch, with that step's update skipped and the last finite weights kept)
  --data DIR         folder with the four Fashion-MNIST .gz files (default $FASHION_MNIST_DIR, else
                     /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)
  --find-lr          first run Smith's learning-rate range test (lr from 1e-6 to 1, exponentially, with the
                     chosen optimizer), then train with a tenth of the lr at its lowest loss (--lr is the
                     fallback when the loss never falls); the curve goes into the report folder
                     (lr-finder.png, lr-finder.json)
  --find-lr-steps N  steps of the range test (default 100)
  --augment LIST     augment training batches on the GPU, stages in order: flip[:p], crop:PADDING,
                     resized:MIN_SCALE, brightness:X, contrast:X (e.g. crop:2,flip)
  --tta VIEWS        test-time augmentation for the test accuracy: flip | crops:PADDING (ten-crop)
  --init-weights FILE  start from these weights (safetensors, PyTorch names): tensors whose name and shape
                     match are loaded, the rest (e.g. another head) reported and left as initialized
  --freeze LAYERS    freeze these layers of the model (indices in its Sequential: 0-8 or 0,3,6-8)
  --node             train in Node on dawn.node (the \`webgpu\` package) instead of headless Chromium
  -h, --help         this text

Model and optimizer details (the Studio's controls; its URL uses the same names in camelCase):
  --hidden N,N,…     MLP hidden sizes (default ${DEFAULT_OPTIONS.hidden.join(',')})
  --activation NAME  relu | tanh | sigmoid | leakyRelu | elu | gelu (MLP, LeNet-5, VGG; default relu)
  --init NAME        pytorch | small | xavier | glorot | he | zeros (default pytorch)
  --dropout X        dropout before the hidden fully connected layers (default 0)
  --batch-norm       batch norm after each hidden linear/conv layer (MLP, LeNet-5, VGG)
  --momentum X       SGD momentum for momentum/nesterov (default ${DEFAULT_OPTIONS.momentum})
  --beta1 X --beta2 X --alpha X --eps X   Adam betas, RMSProp alpha, eps (PyTorch defaults)
  --l2 X             L2 penalty / weight decay (AdamW: decoupled; default 0)
  --power X --step-every N --gamma X --warmup N   schedule parameters (0.3, 1, 0.1, 0 warm-up steps)

The defaults are a quick run: LeNet-5, 1 epoch on ${QUICK.subset} images, batch ${QUICK.batchSize}, tested on
${QUICK.testSubset} images: 58.55 % test accuracy. On a CPU-emulated GPU (SwiftShader on an idle 2-core VM) it
takes 2.5-3 minutes in Chromium and 3-4 minutes with --node, several times longer when other jobs share
the cores; vgg and alexnet do 10-80 times more work per sample. On a real GPU, use --full and more epochs.
Progress shows from the first batch. Chromium comes from CHROMIUM_PATH or /usr/bin/chromium.

The report folder gets report.html (loss, accuracy and learning-rate charts, a point per logged step),
metrics.json, model.safetensors (PyTorch names and layouts) and report.md. The run prints the Studio URL
(npm run studio) of the same setup.`;

export class UsageError extends Error {}

type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/**
 * node:util parseArgs with messages a person can act on: `--epochs -1` reaches the value check (parseArgs
 * calls it ambiguous), and unknown flags, missing values and stray words are named with what was expected.
 */
export function parseFlags<T extends FlagSpec>(argv: readonly string[], spec: T): { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean } {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    // A negative number after a flag that takes a value is that value, not a flag.
    if (name !== undefined && spec[name]?.type === 'string' && /^-\.?\d/.test(argv[i + 1] ?? '')) {
      args.push(`${a}=${argv[++i]}`);
    } else args.push(a);
  }
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options: spec }).values as never;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    const known = Object.keys(spec).map((k) => `--${k}`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = known.filter((k) => editDistance(k, flag.split('=')[0]!) <= 2);
      throw new UsageError(`unknown flag ${flag}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = flag.replace(/^--?/, '');
      if (spec[name]?.type === 'boolean') throw new UsageError(`${flag} takes no value`);
      throw new UsageError(`${flag} needs a value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}: every setting is a flag (--name value)`);
    }
    throw e;
  }
}

/** Levenshtein distance, for "did you mean" on a mistyped flag. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Refuses a data folder that does not hold the four files, before Chromium or dawn.node start: `--data DIR`
 * named as the user gave it, the default with how to install it.
 */
export function checkDataDir(dir: string | undefined, given: string | undefined, exists: (file: string) => boolean): void {
  const folder = dir ?? FASHION_MNIST_DIR;
  const origin = given !== undefined ? `--data ${given}` : process.env.FASHION_MNIST_DIR ? `FASHION_MNIST_DIR=${process.env.FASHION_MNIST_DIR}` : `the default data folder ${folder}`;
  if (!exists(folder)) {
    throw new UsageError(given === undefined && !process.env.FASHION_MNIST_DIR
      ? `Fashion-MNIST not found: ${folder} does not exist (apt-get install -y dataset-fashion-mnist, or give --data DIR)`
      : `${origin}: no such folder (${folder})`);
  }
  const missing = FASHION_MNIST_FILES.filter((f) => !exists(path.join(folder, f)));
  if (missing.length) throw new UsageError(`${origin}: ${folder} lacks ${missing.join(', ')} (it needs the four Fashion-MNIST files ${FASHION_MNIST_FILES.join(', ')})`);
}

export interface Cli {
  options: SessionOptions;
  /** Write a checkpoint (weights and optimizer state) every this many epochs. */
  checkpointEvery?: number;
  /** Keep training through a NaN/±Inf loss (default: stop at the first one). */
  allowNonFinite: boolean;
  testSubset?: number;
  /** --find-lr: steps of the range test. */
  findLr?: number;
  /** --augment, --tta, --init-weights, --freeze (JSON: the weights as base64, to cross into the page). */
  transfer: TransferOptions;
  out: string;
  node: boolean;
  /** Where the .gz files are (undefined: the library's default). */
  dataDir?: string;
  /** --data as given (for messages). */
  dataFlag?: string;
}

/** Every flag of `npm run train`: its own, then the session options' (built lazily: SESSION_FLAGS is defined below). */
function flags() {
  return {
    model: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
    optimizer: { type: 'string' }, schedule: { type: 'string' }, subset: { type: 'string' }, 'test-subset': { type: 'string' }, full: { type: 'boolean' }, 'val-fraction': { type: 'string' },
    seed: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, 'checkpoint-every': { type: 'string' }, 'allow-non-finite': { type: 'boolean' },
    'find-lr': { type: 'boolean' }, 'find-lr-steps': { type: 'string' },
    augment: { type: 'string' }, tta: { type: 'string' }, 'init-weights': { type: 'string' }, freeze: { type: 'string' }, node: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    ...SESSION_FLAGS,
  } as const;
}


export function parseCli(argv: string[], root: string): Cli | 'help' {
  const values = parseFlags(argv, flags());
  if (values.help) return 'help';
  const oneOf = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[], fallback: T): T => {
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${v}`);
    return v as T;
  };
  const number = (flag: string, v: string | undefined, fallback: number, ok: (x: number) => boolean, rule: string): number => {
    if (v === undefined) return fallback;
    const x = Number(v);
    if (v.trim() === '' || !ok(x)) throw new UsageError(`--${flag} must be ${rule}, got ${v}`);
    return x;
  };
  const positiveInt = (x: number) => Number.isInteger(x) && x > 0;
  if (values.full && (values.subset ?? values['test-subset']) !== undefined) throw new UsageError('give --full or --subset/--test-subset, not both');
  const model = oneOf('model', values.model, MODELS, QUICK.model);
  const optimizer = oneOf('optimizer', values.optimizer, OPTIMIZERS, 'adam');
  const options: SessionOptions = resolveOptions({
    ...sessionFlags(values as Record<string, string | boolean | undefined>),
    model,
    epochs: number('epochs', values.epochs, QUICK.epochs, positiveInt, 'a positive integer'),
    batchSize: number('batch-size', values['batch-size'], QUICK.batchSize, positiveInt, 'a positive integer'),
    lr: number('lr', values.lr, DEFAULT_LR[optimizer], (x) => x > 0 && Number.isFinite(x), 'a positive number'),
    optimizer,
    schedule: oneOf('schedule', values.schedule, SCHEDULE_KINDS, 'constant'),
    subset: values.full ? 0 : number('subset', values.subset, QUICK.subset, (x) => positiveInt(x) && x <= TRAIN_SAMPLES, `an integer from 1 to ${TRAIN_SAMPLES}`),
    seed: number('seed', values.seed, 1, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer'),
    valFraction: number('val-fraction', values['val-fraction'], 0.1, (x) => x >= 0 && x < 1, 'at least 0 and below 1'),
  });
  const checkpointEvery = values['checkpoint-every'] === undefined ? undefined : number('checkpoint-every', values['checkpoint-every'], 1, positiveInt, 'a positive integer');
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const out = values.out !== undefined ? path.resolve(values.out) : path.join(root, 'runs', `${stamp}-${model}`);
  const testSubset = values.full ? undefined : number('test-subset', values['test-subset'], QUICK.testSubset, (x) => positiveInt(x) && x <= TEST_SAMPLES, `an integer from 1 to ${TEST_SAMPLES}`);
  if (values['find-lr-steps'] !== undefined && !values['find-lr']) throw new UsageError('--find-lr-steps needs --find-lr');
  const findLr = values['find-lr'] ? number('find-lr-steps', values['find-lr-steps'], 100, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2') : undefined;
  const spec = <T>(flag: string, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      throw new UsageError(`--${flag}: ${(e as Error).message}`);
    }
  };
  const transfer: TransferOptions = {};
  if (values.augment !== undefined) transfer.augment = spec('augment', () => parseAugmentSpec(values.augment!, [28, 28]));
  if (values.tta !== undefined) transfer.tta = spec('tta', () => parseTtaSpec(values.tta!));
  if (values.freeze !== undefined) transfer.freeze = spec('freeze', () => parseLayerList(values.freeze!));
  if (values['init-weights'] !== undefined) transfer.initWeights = spec('init-weights', () => Buffer.from(readFileSync(path.resolve(values['init-weights']!))).toString('base64'));
  return { options, checkpointEvery, findLr, transfer, allowNonFinite: values['allow-non-finite'] ?? false, testSubset, out, node: values.node ?? false, dataDir: values.data !== undefined ? path.resolve(values.data) : process.env.FASHION_MNIST_DIR || undefined, dataFlag: values.data };
}

/** The session options without a flag of their own above (same names as the Studio's URL keys, kebab-cased). */
const OWN_FLAGS = ['model', 'epochs', 'batchSize', 'lr', 'optimizer', 'schedule', 'subset', 'valFraction', 'seed'];
const SESSION_KEYS = OPTION_KEYS.filter((k) => !OWN_FLAGS.includes(k));
const SESSION_FLAGS = Object.fromEntries(SESSION_KEYS.map((k) => [flagOf(k).slice(2), { type: typeof DEFAULT_OPTIONS[k] === 'boolean' ? 'boolean' as const : 'string' as const }]));

function sessionFlags(values: Record<string, string | boolean | undefined>): Partial<SessionOptions> {
  const out: Record<string, unknown> = {};
  for (const key of SESSION_KEYS) {
    const flag = flagOf(key), v = values[flag.slice(2)];
    if (v === undefined) continue;
    if (typeof v === 'boolean') {
      out[key] = v;
      continue;
    }
    try {
      out[key] = parseOptionValue(key, v);
    } catch (e) {
      throw new UsageError(`${flag} ${(e as Error).message.replace(/^.*?: \S+ /, '')}`);
    }
  }
  return out as Partial<SessionOptions>;
}
