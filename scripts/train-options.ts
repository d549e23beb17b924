// `npm run train`'s flags: parsing, defaults and the help text (shared by the CLI and the in-process GPU entry).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import type { ModelName, RecipeOptions } from '../src/train/recipe.js';
import { parseAugmentSpec, parseLayerList, parseTtaSpec } from '../src/augment/spec.js';

export const MODELS: readonly ModelName[] = ['lenet5', 'mlp', 'logreg', 'vgg', 'alexnet'];
const OPTIMIZERS: ReadonlyArray<RecipeOptions['optimizer']> = ['sgd', 'momentum', 'adam', 'adamw'];
const DEFAULT_LR: Record<RecipeOptions['optimizer'], number> = { sgd: 0.05, momentum: 0.01, adam: 1e-3, adamw: 1e-3 };
export const TRAIN_SAMPLES = 60000;
/** The quick default: a few minutes on a CPU-emulated GPU (SwiftShader); the help text gives the time measured. */
const QUICK = { model: 'lenet5' as ModelName, epochs: 1, batchSize: 64, subset: 2000, testSubset: 2000 };
export const TEST_SAMPLES = 10000;

export const HELP = `Train a model on Fashion-MNIST with wgsl-nn and write a report.

usage: npm run train -- [flags]

  --model NAME       ${MODELS.join(' | ')} (default ${QUICK.model})
  --epochs N         passes over the training samples (default ${QUICK.epochs})
  --batch-size N     samples per step (default ${QUICK.batchSize})
  --lr X             learning rate (default: sgd ${DEFAULT_LR.sgd}, momentum ${DEFAULT_LR.momentum}, adam/adamw ${DEFAULT_LR.adam})
  --optimizer NAME   ${OPTIMIZERS.join(' | ')} (default adam)
  --schedule NAME    constant | cosine (cosine annealing of the learning rate to 0 over the run; default constant)
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
  --augment LIST     augment training batches on the GPU, stages in order: flip[:p], crop:PADDING,
                     resized:MIN_SCALE, brightness:X, contrast:X (e.g. crop:2,flip)
  --tta VIEWS        test-time augmentation for the test accuracy: flip | crops:PADDING (ten-crop)
  --init FILE        start from these weights (safetensors, PyTorch names): tensors whose name and shape
                     match are loaded, the rest (e.g. another head) reported and left as initialized
  --freeze LAYERS    freeze these layers of the model (indices in its Sequential: 0-8 or 0,3,6-8)
  --node             train in Node on dawn.node (the \`webgpu\` package) instead of headless Chromium
  -h, --help         this text

The defaults are a quick run: LeNet-5, 1 epoch on ${QUICK.subset} images, batch ${QUICK.batchSize}, tested on
${QUICK.testSubset} images. On a CPU-emulated GPU (SwiftShader on 2 cores shared with other jobs) it took
about 6 minutes and reached ~55-60 % test accuracy; an idle machine is faster. On a real GPU, use --full
and more epochs. Chromium comes from CHROMIUM_PATH or /usr/bin/chromium.

The report folder gets metrics.json, loss.png, accuracy.png, model.safetensors (PyTorch names and
layouts) and report.md.`;

export class UsageError extends Error {}

export interface Cli {
  options: RecipeOptions;
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
      augment: { type: 'string' }, tta: { type: 'string' }, init: { type: 'string' }, freeze: { type: 'string' },
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
  const options: RecipeOptions = {
    model,
    epochs: number('epochs', values.epochs, QUICK.epochs, positiveInt, 'a positive integer'),
    batchSize: number('batch-size', values['batch-size'], QUICK.batchSize, positiveInt, 'a positive integer'),
    lr: number('lr', values.lr, DEFAULT_LR[optimizer], (x) => x > 0 && Number.isFinite(x), 'a positive number'),
    optimizer,
    schedule: oneOf('schedule', values.schedule, ['constant', 'cosine'] as const, 'constant'),
    subset: values.full ? undefined : number('subset', values.subset, QUICK.subset, (x) => positiveInt(x) && x <= TRAIN_SAMPLES, `an integer from 1 to ${TRAIN_SAMPLES}`),
    seed: number('seed', values.seed, 1, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer'),
    valFraction: number('val-fraction', values['val-fraction'], 0.1, (x) => x >= 0 && x < 1, 'at least 0 and below 1'),
  };
  const spec = <T>(flag: string, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      throw new UsageError(`--${flag}: ${(e as Error).message}`);
    }
  };
  if (values.augment !== undefined) options.augment = spec('augment', () => parseAugmentSpec(values.augment!, [28, 28]));
  if (values.tta !== undefined) options.tta = spec('tta', () => parseTtaSpec(values.tta!));
  if (values.freeze !== undefined) options.freeze = spec('freeze', () => parseLayerList(values.freeze!));
  if (values.init !== undefined) options.initWeights = spec('init', () => Buffer.from(readFileSync(path.resolve(values.init!))).toString('base64'));
  if (values['checkpoint-every'] !== undefined) options.checkpointEvery = number('checkpoint-every', values['checkpoint-every'], 1, positiveInt, 'a positive integer');
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const out = values.out !== undefined ? path.resolve(values.out) : path.join(root, 'runs', `${stamp}-${model}`);
  const testSubset = values.full ? undefined : number('test-subset', values['test-subset'], QUICK.testSubset, (x) => positiveInt(x) && x <= TEST_SAMPLES, `an integer from 1 to ${TEST_SAMPLES}`);
  return { options, testSubset, out, node: values.node ?? false, dataDir: values.data !== undefined ? path.resolve(values.data) : process.env.FASHION_MNIST_DIR || undefined };
}
