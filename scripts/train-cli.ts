// `npm run train`: flags, then the report folder. The training runs in Chromium (scripts/train-browser.ts)
// or in a Node child on dawn.node (scripts/train-node.ts); scripts/train-display.ts draws its progress.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { encodePng } from '../src/report/png.js';
import { formatDuration } from '../src/report/progress.js';
import { accuracyChart, lossChart, reportMarkdown, type TrainingRun } from '../src/report/training.js';
import type { ModelName, RecipeOptions } from '../src/train/recipe.js';
import { trainInBrowser } from './train-browser.js';
import { Display } from './train-display.js';
import { trainInNode } from './train-node.js';

const MODELS: readonly ModelName[] = ['lenet5', 'mlp', 'logreg', 'vgg', 'alexnet'];
const OPTIMIZERS: ReadonlyArray<RecipeOptions['optimizer']> = ['sgd', 'momentum', 'adam', 'adamw'];
const DEFAULT_LR: Record<RecipeOptions['optimizer'], number> = { sgd: 0.05, momentum: 0.01, adam: 1e-3, adamw: 1e-3 };
const TRAIN_SAMPLES = 60000;
/** The quick default: a few minutes on a CPU-emulated GPU (SwiftShader); the help text gives the time measured. */
const QUICK = { model: 'lenet5' as ModelName, epochs: 1, batchSize: 64, subset: 2000, testSubset: 2000 };
const TEST_SAMPLES = 10000;

const HELP = `Train a model on Fashion-MNIST with wgsl-nn and write a report.

usage: npm run train -- [flags]

  --model NAME       ${MODELS.join(' | ')} (default ${QUICK.model})
  --epochs N         passes over the training samples (default ${QUICK.epochs})
  --batch-size N     samples per step (default ${QUICK.batchSize})
  --lr X             learning rate (default: sgd ${DEFAULT_LR.sgd}, momentum ${DEFAULT_LR.momentum}, adam/adamw ${DEFAULT_LR.adam})
  --optimizer NAME   ${OPTIMIZERS.join(' | ')} (default adam)
  --subset N         train on the first N of the 60000 training images (default ${QUICK.subset})
  --test-subset N    score the first N of the 10000 test images (default ${QUICK.testSubset})
  --full             all 60000 training and all 10000 test images
  --val-fraction X   share of the training samples held out for validation (default 0.1)
  --seed N           initialization and shuffling seed (default 1)
  --out DIR          report folder (default runs/<timestamp>-<model>)
  --node             train in Node on dawn.node (the \`webgpu\` package) instead of headless Chromium
  -h, --help         this text

The defaults are a quick run: LeNet-5, 1 epoch on ${QUICK.subset} images, batch ${QUICK.batchSize}, tested on
${QUICK.testSubset} images. On a CPU-emulated GPU (SwiftShader on 2 cores shared with other jobs) it took
about 6 minutes and reached ~55-60 % test accuracy; an idle machine is faster. On a real GPU, use --full
and more epochs. Chromium comes from CHROMIUM_PATH or /usr/bin/chromium.

The report folder gets metrics.json, loss.png, accuracy.png, model.safetensors (PyTorch names and
layouts) and report.md.`;

class UsageError extends Error {}

interface Cli {
  options: RecipeOptions;
  testSubset?: number;
  out: string;
  node: boolean;
}

function parseCli(argv: string[], root: string): Cli | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
      optimizer: { type: 'string' }, subset: { type: 'string' }, 'test-subset': { type: 'string' }, full: { type: 'boolean' }, 'val-fraction': { type: 'string' },
      seed: { type: 'string' }, out: { type: 'string' }, node: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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
    subset: values.full ? undefined : number('subset', values.subset, QUICK.subset, (x) => positiveInt(x) && x <= TRAIN_SAMPLES, `an integer from 1 to ${TRAIN_SAMPLES}`),
    seed: number('seed', values.seed, 1, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer'),
    valFraction: number('val-fraction', values['val-fraction'], 0.1, (x) => x >= 0 && x < 1, 'at least 0 and below 1'),
  };
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const out = values.out !== undefined ? path.resolve(values.out) : path.join(root, 'runs', `${stamp}-${model}`);
  const testSubset = values.full ? undefined : number('test-subset', values['test-subset'], QUICK.testSubset, (x) => positiveInt(x) && x <= TEST_SAMPLES, `an integer from 1 to ${TEST_SAMPLES}`);
  return { options, testSubset, out, node: values.node ?? false };
}

export async function main(argv: string[], { root, buildDir }: { root: string; buildDir: string }): Promise<number> {
  let cli: Cli | 'help';
  try {
    cli = parseCli(argv, root);
  } catch (e) {
    if (!(e instanceof UsageError) && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw e;
    console.error(`train: ${(e as Error).message}\n(npm run train -- --help lists the flags)`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  const { options, testSubset, out } = cli;
  const startedAt = new Date();
  const wallStart = performance.now();
  const display = new Display(options.epochs);
  const samples = options.subset ?? TRAIN_SAMPLES;
  console.log(`train: ${options.model} on ${samples} Fashion-MNIST training images (tested on ${testSubset ?? TEST_SAMPLES}), ${options.epochs} epoch(s), batch ${options.batchSize}, ${options.optimizer} lr ${options.lr}, ${cli.node ? 'Node + dawn.node' : 'headless Chromium'}`);
  let result: Awaited<ReturnType<typeof trainInNode>>;
  try {
    result = cli.node
      ? await trainInNode(root, buildDir, { options, testSubset }, display)
      : await trainInBrowser(root, { options, testSubset }, display);
  } catch (e) {
    display.clear();
    console.error(`train: failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  display.clear();

  const trainSeconds = result.epochs.reduce((s, e) => s + e.seconds, 0);
  const run: TrainingRun = {
    command: ['npm run train --', ...argv].join(' ').replace(/ --$/, ''),
    startedAt: startedAt.toISOString(),
    platform: result.platform,
    adapter: result.adapter,
    model: result.model,
    parameters: result.parameters,
    options,
    data: { trainSamples: result.trainSamples, testSamples: result.testSamples },
    epochs: result.epochs,
    batches: result.batches,
    test: { loss: result.testLoss, accuracy: result.testAcc },
    samplesPerSec: trainSeconds > 0 ? result.epochs.reduce((s, e) => s + e.samplesPerSec * e.seconds, 0) / trainSeconds : 0,
    timings: { trainSeconds, recipeSeconds: result.totalSeconds, wallSeconds: (performance.now() - wallStart) / 1000 },
  };
  writeReport(out, run, result.weights, root);

  console.log(`\nTest accuracy: ${(100 * run.test.accuracy).toFixed(2)} %  (test loss ${run.test.loss.toFixed(4)}, ${run.data.testSamples} images)`);
  console.log(`${run.parameters.toLocaleString('en-US')} parameters, ${formatDuration(run.timings.wallSeconds)} in all, ${Math.round(run.samplesPerSec)} samples/s on ${run.adapter}`);
  console.log(`report: ${path.relative(process.cwd(), path.join(out, 'report.md')) || out}`);
  return 0;
}

function writeReport(out: string, run: TrainingRun, weights: Uint8Array, root: string): void {
  const runs = path.join(root, 'runs');
  // Reports are outputs, never sources: the default folder ignores itself rather than relying on the repo's .gitignore.
  if (out.startsWith(runs + path.sep) && !existsSync(runs)) {
    mkdirSync(runs, { recursive: true });
    writeFileSync(path.join(runs, '.gitignore'), '*\n');
  }
  mkdirSync(out, { recursive: true });
  const png = (img: Parameters<typeof encodePng>[0]) => encodePng(img, (b) => deflateSync(b));
  writeFileSync(path.join(out, 'metrics.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(out, 'loss.png'), png(lossChart(run)));
  writeFileSync(path.join(out, 'accuracy.png'), png(accuracyChart(run)));
  writeFileSync(path.join(out, 'model.safetensors'), weights);
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(run));
}
