// `npm run search`'s flags: parsing, the compact space syntax, defaults and the help text.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Monitor } from '../src/search/trial-run.js';
import type { ParamSpec, ParamValue, SearchSpace } from '../src/search/space.js';
import { MODELS } from './train-options.js';
import type { ModelKind as ModelName } from '../app/session/options.js';

/** Keys the default optimizer reads (src/search/trial-run.ts defaultOptimizer) and the trial's batch size. */
export const TRAINING_KEYS = ['optimizer', 'lr', 'momentum', 'weightDecay', 'l2', 'schedule', 'batchSize'] as const;
/** Keys each model's factory reads (scripts/search-models.ts). */
export const MODEL_KEYS: Record<ModelName, readonly string[]> = {
  mlp: ['width', 'dropout'], lenet5: [], logreg: [], vgg: [], alexnet: ['width', 'fcWidth', 'dropout'],
};
const DEFAULT_SPACE = 'lr=log:1e-3:0.3,optimizer=sgd|momentum';

export const HELP = `Hyperparameter search on Fashion-MNIST with wgsl-nn: trials of the same model train at once on
the GPU (one submit per round), each scored on a holdout split or by k-fold cross-validation.

usage: npm run search -- [flags]

  --model NAME       ${MODELS.join(' | ')} (default mlp)
  --space SPEC       comma-separated KEY=RANGE (default '${DEFAULT_SPACE}'):
                       KEY=log:MIN:MAX[:N]      log-uniform (N grid points for --search grid)
                       KEY=uniform:MIN:MAX[:N]  uniform
                       KEY=int:MIN:MAX[:N]      integer
                       KEY=A|B|C                one of the values (quote the flag for the shell)
                       KEY=V                    a constant
                     training keys: ${TRAINING_KEYS.join(', ')}
                     (optimizer: sgd | momentum | nesterov | adam | adamw | rmsprop | adagrad;
                      schedule: constant | cosine | step); model keys: mlp: width, dropout;
                     alexnet: width, fcWidth, dropout. A JSON object of ranges works too.
  --search KIND      random | grid (default random)
  --trials N         configurations drawn by random search (default 8)
  --epochs N         budget per trial in epochs (default 1)
  --steps N          budget per trial in optimizer steps (instead of --epochs)
  --eval-every N     validate every N steps (default once per epoch)
  --folds K          k-fold cross-validation instead of a holdout split
  --val-fraction X   holdout share of the training samples (default 0.2)
  --batch-size N     default batch size (a batchSize key in the space overrides it; default 32)
  --subset N         use the first N of the 60000 training images (default 2000)
  --metric NAME      valAcc | valLoss (default valAcc)
  --patience N       per-trial early stopping after N validations without improvement
  --concurrency K    trials trained at once (default 8; bounded by --memory-budget)
  --memory-budget M  MiB of GPU memory the concurrent trials may use (default 1024)
  --no-stack         every trial replays its own compiled step (default: trials that share the model,
                     optimizer rule and batch size train as one stacked model, same numbers, less CPU)
  --seed N           draws, splits, data order and initializations (default 0)
  --out DIR          run folder (default runs/<timestamp>-search-<model>)
  --data DIR         folder with the Fashion-MNIST .gz files (default $FASHION_MNIST_DIR, else
                     /usr/share/datasets/fashion-mnist)
  -h, --help         this text

The run folder gets search.json (every trial: configuration, score, status, validation curve),
report.md (the ranked table and the best configuration), curves.png (every trial's validation curve)
and best.safetensors (the best trial's weights, PyTorch names). Runs in Node on dawn.node.`;

export class UsageError extends Error {}

export interface SearchCli {
  model: ModelName;
  space: SearchSpace;
  spaceText: string;
  search: 'random' | 'grid';
  trials: number;
  epochs?: number;
  steps?: number;
  evalEvery?: number;
  folds?: number;
  valFraction: number;
  batchSize: number;
  subset: number;
  metric: Monitor;
  patience?: number;
  concurrency: number;
  /** Trials train as stacks where they can (--no-stack: false). */
  stack: boolean;
  memoryBudget: number;
  seed: number;
  out: string;
  dataDir?: string;
}

const scalar = (s: string): ParamValue => {
  if (s === 'true' || s === 'false') return s === 'true';
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
};

/** `lr=log:1e-4:1e-1,optimizer=sgd|adam,width=int:64:256:3,dropout=0.2` (or a JSON object) as a SearchSpace. */
export function parseSpace(text: string): SearchSpace {
  if (text.trim().startsWith('{')) {
    try {
      return JSON.parse(text) as SearchSpace;
    } catch (e) {
      throw new UsageError(`--space is not valid JSON: ${(e as Error).message}`);
    }
  }
  const space: SearchSpace = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--space: '${part}' is not KEY=RANGE`);
    const key = part.slice(0, eq).trim(), value = part.slice(eq + 1).trim();
    if (key in space) throw new UsageError(`--space: '${key}' is given twice`);
    const [kind, ...args] = value.split(':');
    if (kind === 'log' || kind === 'uniform' || kind === 'int') {
      const nums = args.map(Number);
      if ((nums.length !== 2 && nums.length !== 3) || nums.some((n, i) => args[i]!.trim() === '' || !Number.isFinite(n))) {
        throw new UsageError(`--space: '${part}' needs ${kind}:MIN:MAX or ${kind}:MIN:MAX:N with numbers`);
      }
      space[key] = { kind, min: nums[0]!, max: nums[1]!, grid: nums[2] } as ParamSpec;
    } else if (value.includes('|')) space[key] = value.split('|').map((v) => scalar(v.trim()));
    else space[key] = scalar(value);
  }
  if (!Object.keys(space).length) throw new UsageError('--space is empty');
  return space;
}

export function parseSearchCli(argv: string[], root: string): SearchCli | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' }, space: { type: 'string' }, search: { type: 'string' }, trials: { type: 'string' }, epochs: { type: 'string' },
      steps: { type: 'string' }, 'eval-every': { type: 'string' }, folds: { type: 'string' }, 'val-fraction': { type: 'string' }, 'batch-size': { type: 'string' },
      subset: { type: 'string' }, metric: { type: 'string' }, patience: { type: 'string' }, concurrency: { type: 'string' }, 'memory-budget': { type: 'string' }, 'no-stack': { type: 'boolean' },
      seed: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const oneOf = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[], fallback: T): T => {
    if (v === undefined) return fallback;
    if (!allowed.includes(v as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${v}`);
    return v as T;
  };
  const number = (flag: string, v: string | undefined, ok: (x: number) => boolean, rule: string): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (v.trim() === '' || !ok(x)) throw new UsageError(`--${flag} must be ${rule}, got ${v}`);
    return x;
  };
  const positiveInt = (x: number) => Number.isInteger(x) && x > 0;
  const int = (flag: string, v: string | undefined, fallback?: number) => number(flag, v, positiveInt, 'a positive integer') ?? fallback;
  const model = oneOf('model', values.model, MODELS, 'mlp');
  const spaceText = values.space ?? DEFAULT_SPACE;
  const space = parseSpace(spaceText);
  const known = new Set<string>([...TRAINING_KEYS, ...MODEL_KEYS[model]]);
  const unknown = Object.keys(space).filter((k) => !known.has(k));
  if (unknown.length) throw new UsageError(`--space: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a training option or a ${model} option (${[...known].join(', ')})`);
  if (values.epochs !== undefined && values.steps !== undefined) throw new UsageError('give --epochs or --steps, not both');
  if (values.folds !== undefined && values['val-fraction'] !== undefined) throw new UsageError('give --folds or --val-fraction, not both');
  const search = oneOf('search', values.search, ['random', 'grid'] as const, 'random');
  if (search === 'grid' && values.trials !== undefined) throw new UsageError('--trials is for --search random (a grid has as many trials as points)');
  const steps = int('steps', values.steps);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return {
    model, space, spaceText, search,
    trials: int('trials', values.trials, 8)!,
    epochs: steps === undefined ? int('epochs', values.epochs, 1) : undefined,
    steps,
    evalEvery: int('eval-every', values['eval-every']),
    folds: number('folds', values.folds, (x) => Number.isInteger(x) && x >= 2, 'an integer ≥ 2'),
    valFraction: number('val-fraction', values['val-fraction'], (x) => x > 0 && x < 1, 'above 0 and below 1') ?? 0.2,
    batchSize: int('batch-size', values['batch-size'], 32)!,
    subset: number('subset', values.subset, (x) => positiveInt(x) && x <= 60000, 'an integer from 1 to 60000') ?? 2000,
    metric: oneOf('metric', values.metric, ['valAcc', 'valLoss'] as const, 'valAcc'),
    patience: int('patience', values.patience),
    concurrency: int('concurrency', values.concurrency, 8)!,
    stack: !values['no-stack'],
    memoryBudget: (number('memory-budget', values['memory-budget'], (x) => x > 0 && Number.isFinite(x), 'a positive number of MiB') ?? 1024) * 2 ** 20,
    seed: number('seed', values.seed, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer') ?? 0,
    out: values.out !== undefined ? path.resolve(values.out) : path.join(root, 'runs', `${stamp}-search-${model}`),
    dataDir: values.data !== undefined ? path.resolve(values.data) : process.env.FASHION_MNIST_DIR || undefined,
  };
}
