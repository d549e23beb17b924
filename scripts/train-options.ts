// `npm run train`'s flags: parsing, defaults and the help text (shared by the CLI and the in-process GPU entry).
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LR, DEFAULT_OPTIONS, flagOf, MODEL_KINDS, OPTION_KEYS, OPTIMIZER_KINDS, parseOptionValue, resolveOptions, SCHEDULE_KINDS,
  type ModelKind, type SessionOptions,
} from '../app/session/options.js';

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
  --data DIR         folder with the four Fashion-MNIST .gz files (default $FASHION_MNIST_DIR, else
                     /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist)
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
${QUICK.testSubset} images. On a CPU-emulated GPU (SwiftShader on 2 cores shared with other jobs) it took
about 6 minutes and reached ~55-60 % test accuracy; an idle machine is faster. On a real GPU, use --full
and more epochs. Chromium comes from CHROMIUM_PATH or /usr/bin/chromium.

The report folder gets report.html (loss, accuracy and learning-rate charts, a point per logged step),
metrics.json, model.safetensors (PyTorch names and layouts) and report.md. The run prints the Studio URL
(npm run studio) of the same setup.`;

export class UsageError extends Error {}

export interface Cli {
  options: SessionOptions;
  /** Write a checkpoint (weights and optimizer state) every this many epochs. */
  checkpointEvery?: number;
  testSubset?: number;
  out: string;
  node: boolean;
  /** Where the .gz files are (undefined: the library's default). */
  dataDir?: string;
}

export function parseCli(argv: string[], root: string): Cli | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
      optimizer: { type: 'string' }, schedule: { type: 'string' }, subset: { type: 'string' }, 'test-subset': { type: 'string' }, full: { type: 'boolean' }, 'val-fraction': { type: 'string' },
      seed: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, 'checkpoint-every': { type: 'string' }, node: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      ...SESSION_FLAGS,
    },
  });
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
  return { options, checkpointEvery, testSubset, out, node: values.node ?? false, dataDir: values.data !== undefined ? path.resolve(values.data) : process.env.FASHION_MNIST_DIR || undefined };
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
