import { getRuntime, type Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { kFold, splitTrainVal, type InMemoryDataset } from '../data/loader.js';
import type { LossFn } from '../train/fit.js';
import { gridConfigs, randomConfigs, type SearchSpace, type TrialConfig } from './space.js';
import { runTrials, type RunJob, type SearchMemory } from './scheduler.js';
import type { Monitor, RunSettings, RunStatus, TrialPoint } from './trial-run.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';

export type TrialStatus = 'done' | 'stopped-early' | 'diverged';

/** One configuration's outcome. */
export interface TrialResult {
  /** Position of the configuration in the search's order (grid order, or draw order). */
  index: number;
  config: TrialConfig;
  status: TrialStatus;
  /** The metric: the best validation's (mean over folds with k-fold); NaN when the trial diverged. */
  score: number;
  /**
   * Each fold's score (one entry with a holdout split). With k-fold, once one fold diverges the configuration's
   * other folds stop (or never start): their scores are NaN and their steps are those they took.
   */
  foldScores: number[];
  /** Validations of each fold's run, in order (the curves to plot). */
  history: TrialPoint[][];
  /** Optimizer steps taken (summed over folds). */
  steps: number;
  seconds: number;
  /** The best validation's weights (safetensors): for every trial with keepWeights 'all'. */
  weights?: Uint8Array;
}

export interface SearchResult {
  metric: Monitor;
  /** Every trial, best first (diverged trials last, in index order). */
  table: TrialResult[];
  best: TrialResult | null;
  /** The best trial's weights (with k-fold: its best fold's run), safetensors with PyTorch names. */
  bestWeights: Uint8Array | null;
  memory: SearchMemory;
  seconds: number;
}

export interface TrainingSearchOptions {
  space: SearchSpace;
  /** The model for a configuration (its other keys: width, dropout…); built right after `seed(trial seed)`. */
  model: (config: TrialConfig) => Module;
  optimizer?: (params: Tensor[], config: TrialConfig, totalSteps: number) => Optimizer;
  loss?: LossFn;
  /** Training data: split into train/holdout (`valFraction`), or into `folds` for k-fold cross-validation. */
  data: InMemoryDataset;
  /** A holdout set given explicitly (then `data` is all training data). */
  validation?: InMemoryDataset;
  /** Fraction of `data` held out for validation (default 0.2). */
  valFraction?: number;
  /** k-fold cross-validation (the library's `kFold`): each configuration trains k times, its score the mean. */
  folds?: number;
  /** Budget per trial: epochs (default 1) or optimizer steps. */
  epochs?: number;
  steps?: number;
  /** Validate every this many steps (default once per epoch). */
  evalEvery?: number;
  /** Default 32; a `batchSize` key in the space overrides it per trial. */
  batchSize?: number;
  /** What is optimized: validation accuracy (default, higher is better) or loss (lower is better). */
  metric?: Monitor;
  /** Per-trial early stopping: validations without improvement before the trial stops. */
  earlyStopping?: { patience?: number; minDelta?: number };
  /** A finite training loss above this also marks a trial diverged (default: NaN/Inf only). */
  divergeAbove?: number;
  /** Trials trained at once, one submit per round (default 8); bounded by `memoryBudget`. */
  concurrency?: number;
  /** Bytes of GPU memory the concurrent trials may use together (default 1 GiB). */
  memoryBudget?: number;
  /**
   * Trials started together that share the architecture, optimizer rule, batch size and training set train
   * as one stacked model: one dispatch per layer for all of them, each trial's numbers bit for bit its own
   * (see TrialStack; default true). false: every trial replays its own compiled step, all in one submit.
   */
  stack?: boolean;
  /**
   * Seeds the draws, the splits and the data order (the same for every trial: common random numbers), and
   * each trial's initialization (trial i: seed + i). Default 0.
   */
  seed?: number;
  /** 'best' (default): only the best trial's weights; 'all': every trial's; 'none'. */
  keepWeights?: 'best' | 'all' | 'none';
  onTrialEnd?: (result: TrialResult, table: readonly TrialResult[]) => void;
  /**
   * Each validation of each run, as it happens. Awaited: a returned promise holds the search there (a pause);
   * a throw ends the search (every run's GPU memory freed) and rejects it with that error.
   */
  onProgress?: (p: { index: number; fold: number; point: TrialPoint }) => unknown;
  runtime?: Runtime;
}

/** A search over a plain function of the configuration (no training): a synthetic objective, or your own loop. */
export interface ObjectiveSearchOptions {
  space: SearchSpace;
  objective: (config: TrialConfig) => number | Promise<number>;
  /** 'min' (default) or 'max'. A NaN/Inf value marks the trial diverged. */
  goal?: 'min' | 'max';
  seed?: number;
  onTrialEnd?: (result: ObjectiveTrial, table: readonly ObjectiveTrial[]) => void;
}

export interface ObjectiveTrial {
  index: number;
  config: TrialConfig;
  status: 'done' | 'diverged';
  score: number;
}

export interface ObjectiveSearchResult {
  goal: 'min' | 'max';
  /** Best first, diverged last. */
  table: ObjectiveTrial[];
  best: ObjectiveTrial | null;
}

export type RandomSearchOptions = (TrainingSearchOptions | ObjectiveSearchOptions) & { trials: number };

/** Random search: `trials` configurations drawn from the space (log-uniform learning rates…), seeded. */
export function randomSearch(opts: TrainingSearchOptions & { trials: number }): Promise<SearchResult>;
export function randomSearch(opts: ObjectiveSearchOptions & { trials: number }): Promise<ObjectiveSearchResult>;
export function randomSearch(opts: RandomSearchOptions): Promise<SearchResult | ObjectiveSearchResult> {
  const configs = randomConfigs(opts.space, opts.trials, opts.seed ?? 0);
  return 'objective' in opts ? searchObjective(configs, opts) : searchConfigs(configs, opts);
}

/** Grid search: every combination of the space's grid, in order (the last key varies fastest). */
export function gridSearch(opts: TrainingSearchOptions): Promise<SearchResult>;
export function gridSearch(opts: ObjectiveSearchOptions): Promise<ObjectiveSearchResult>;
export function gridSearch(opts: TrainingSearchOptions | ObjectiveSearchOptions): Promise<SearchResult | ObjectiveSearchResult> {
  const configs = gridConfigs(opts.space);
  return 'objective' in opts ? searchObjective(configs, opts) : searchConfigs(configs, opts);
}

/** Evaluates the objective at each configuration, in order, and ranks them. */
export async function searchObjective(configs: TrialConfig[], opts: ObjectiveSearchOptions): Promise<ObjectiveSearchResult> {
  const goal = opts.goal ?? 'min';
  if (goal !== 'min' && goal !== 'max') throw new ArgumentError('search', `goal must be 'min' or 'max', got ${String(goal)}`);
  const key = (t: ObjectiveTrial) => (t.status === 'diverged' ? -Infinity : goal === 'max' ? t.score : -t.score);
  const table: ObjectiveTrial[] = [];
  for (let index = 0; index < configs.length; index++) {
    const config = configs[index]!;
    const value = await opts.objective(config);
    const trial: ObjectiveTrial = Number.isFinite(value) ? { index, config, status: 'done', score: value } : { index, config, status: 'diverged', score: NaN };
    table.push(trial);
    table.sort((a, b) => key(b) - key(a) || a.index - b.index);
    opts.onTrialEnd?.(trial, table);
  }
  return { goal, table, best: table.find((t) => t.status === 'done') ?? null };
}

/** Higher is better for sorting: accuracy as is, loss negated; NaN (diverged) last. */
export function sortTable(table: TrialResult[], metric: Monitor): TrialResult[] {
  const key = (r: TrialResult) => (Number.isNaN(r.score) ? -Infinity : metric === 'valAcc' ? r.score : -r.score);
  return table.sort((a, b) => key(b) - key(a) || a.index - b.index);
}

/** Trains every configuration (on each fold) and ranks them. */
export async function searchConfigs(configs: TrialConfig[], opts: Omit<TrainingSearchOptions, 'space'>): Promise<SearchResult> {
  const start = performance.now();
  const rt = opts.runtime ?? getRuntime();
  const metric = opts.metric ?? 'valAcc';
  if (metric !== 'valAcc' && metric !== 'valLoss') throw new ArgumentError('search', `metric must be 'valAcc' or 'valLoss', got ${String(metric)}`);
  if (opts.steps !== undefined && !(Number.isInteger(opts.steps) && opts.steps >= 1)) throw new ArgumentError('search', `steps must be a positive integer, got ${opts.steps}`);
  if (opts.epochs !== undefined && !(Number.isInteger(opts.epochs) && opts.epochs >= 1)) throw new ArgumentError('search', `epochs must be a positive integer, got ${opts.epochs}`);
  if (opts.evalEvery !== undefined && !(Number.isInteger(opts.evalEvery) && opts.evalEvery >= 1)) throw new ArgumentError('search', `evalEvery must be a positive integer, got ${opts.evalEvery}`);
  const patience = opts.earlyStopping ? opts.earlyStopping.patience ?? 3 : undefined;
  if (patience !== undefined && !(Number.isInteger(patience) && patience >= 1)) throw new ArgumentError('search', `earlyStopping.patience must be a positive integer, got ${patience}`);
  const seed = opts.seed ?? 0;
  const splits = dataSplits(opts, seed);
  const settings: RunSettings = {
    model: opts.model, optimizer: opts.optimizer, loss: opts.loss, batchSize: opts.batchSize ?? 32, epochs: opts.epochs, steps: opts.steps,
    evalEvery: opts.evalEvery, metric, patience, minDelta: opts.earlyStopping?.minDelta ?? 0, divergeAbove: opts.divergeAbove,
  };
  const keep = opts.keepWeights ?? 'best';
  const jobs: RunJob[] = configs.flatMap((config, index) => splits.map((s, fold) => ({ index, fold, config, seed: seed + index, train: s.train, val: s.val })));
  type FoldRun = { fold: number; score: number; status: RunStatus; history: TrialPoint[]; steps: number; seconds: number; weights?: Uint8Array };
  const perConfig = configs.map(() => ({ runs: [] as FoldRun[], diverged: false }));
  const table: TrialResult[] = [];
  let bestWeights: { score: number; bytes: Uint8Array } | null = null;
  const better = (a: number, b: number) => (metric === 'valAcc' ? a > b : a < b);

  /** A fold's run has ended (or was skipped); once every fold of its configuration has, the trial's row. */
  const record = (job: RunJob, run: FoldRun) => {
    const config = perConfig[job.index]!, runs = config.runs;
    if (run.status === 'diverged') config.diverged = true;
    runs.push(run);
    if (runs.length < splits.length) return;
    runs.sort((a, b) => a.fold - b.fold);
    const diverged = config.diverged;
    const result: TrialResult = {
      index: job.index, config: job.config,
      status: diverged ? 'diverged' : runs.some((r) => r.status === 'stopped-early') ? 'stopped-early' : 'done',
      score: diverged ? NaN : runs.reduce((s, r) => s + r.score, 0) / runs.length,
      foldScores: runs.map((r) => (r.status === 'abandoned' ? NaN : r.score)), history: runs.map((r) => r.history),
      steps: runs.reduce((s, r) => s + r.steps, 0), seconds: runs.reduce((s, r) => s + r.seconds, 0),
    };
    if (keep === 'all') result.weights = runs.find((r) => r.weights)?.weights;
    if (keep === 'best' && !diverged) {
      // The trial's best fold's weights stand for it.
      const withWeights = runs.filter((r) => r.weights).sort((a, b) => (better(a.score, b.score) ? -1 : 1));
      const candidate = withWeights[0];
      if (candidate && (!bestWeights || better(result.score, bestWeights.score))) bestWeights = { score: result.score, bytes: candidate.weights! };
    }
    table.push(result);
    sortTable(table, metric);
    opts.onTrialEnd?.(result, table);
  };

  const memory = await runTrials(rt, jobs, settings, { concurrency: opts.concurrency ?? 8, memoryBudget: opts.memoryBudget ?? 2 ** 30, dataSeed: seed, stack: opts.stack }, {
    onProgress: opts.onProgress,
    // One diverged fold decides the configuration (its score is NaN whatever the others do): its other folds stop.
    abandon: (job) => perConfig[job.index]!.diverged,
    async onRunSkipped(job) {
      record(job, { fold: job.fold, score: NaN, status: 'abandoned', history: [], steps: 0, seconds: 0 });
    },
    async onRunEnd(job, run, seconds) {
      const status = run.status === 'running' ? 'done' : run.status;
      const score = run.score;
      let weights: Uint8Array | undefined;
      const usable = status !== 'diverged' && status !== 'abandoned';
      const wantBest = keep === 'best' && usable && (!bestWeights || better(score, bestWeights.score));
      if (usable && (keep === 'all' || wantBest)) weights = await run.weights();
      record(job, { fold: job.fold, score, status, history: run.history, steps: run.stepsDone, seconds, weights });
    },
  });
  const best = table.find((r) => r.status !== 'diverged') ?? null;
  const bestBytes = keep === 'all' ? best?.weights ?? null : (bestWeights as { bytes: Uint8Array } | null)?.bytes ?? null;
  return { metric, table, best, bestWeights: best ? bestBytes : null, memory, seconds: (performance.now() - start) / 1000 };
}

function dataSplits(opts: Omit<TrainingSearchOptions, 'space'>, seed: number): { train: InMemoryDataset; val: InMemoryDataset }[] {
  if (opts.folds !== undefined) {
    if (opts.validation) throw new ArgumentError('search', 'give either folds (k-fold cross-validation on data) or a validation set, not both');
    return kFold(opts.data.length, opts.folds, seed).map((f) => ({ train: opts.data.subset(f.train), val: opts.data.subset(f.val) }));
  }
  if (opts.validation) return [{ train: opts.data, val: opts.validation }];
  return [splitTrainVal(opts.data, opts.valFraction ?? 0.2, seed)];
}
