// What a training run leaves behind (metrics.json, the curves, report.md), independent of where it ran.
import { lineChart, SERIES_COLORS } from './chart.js';
import type { RgbaImage } from './png.js';
import { formatDuration, formatRate } from './progress.js';

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
  samplesPerSec: number;
  seconds: number;
}

/** A training batch whose loss was reported; `batch` counts from 1 within `epoch`. */
export interface BatchLoss {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/** Everything metrics.json holds. */
export interface TrainingRun {
  /** The command line that reproduces the run. */
  command: string;
  startedAt: string;
  /** Where it ran: "Chromium 156.0 (headless)" or "Node v20 + dawn.node". */
  platform: string;
  adapter: string;
  model: string;
  parameters: number;
  /** The recipe's options as given. */
  options: { epochs: number; batchSize: number; lr: number; optimizer: string; subset?: number; seed: number; valFraction: number };
  data: { trainSamples: number; testSamples: number };
  epochs: EpochMetrics[];
  batches: BatchLoss[];
  test: { loss: number; accuracy: number };
  /** Training samples per second over the whole run (the epochs' own rates averaged by time). */
  samplesPerSec: number;
  timings: { trainSeconds: number; recipeSeconds: number; wallSeconds: number };
}

/** The same colour for a split in every chart; per-batch loss is a lighter shade of the training colour. */
export const CURVE_COLORS = { batch: [174, 199, 232], train: SERIES_COLORS[0]!, validation: SERIES_COLORS[1]!, test: SERIES_COLORS[2]! } as const;

/** Missing metrics (no validation split: NaN) print as a dash. */
const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : '-');
const fixed4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');

/** Per-batch training loss (where reported) and per-epoch train/validation loss against epochs. */
export function lossChart(run: TrainingRun): RgbaImage {
  return lineChart({
    title: `${run.model}: loss`,
    xLabel: 'epoch',
    yLabel: 'cross-entropy',
    xRange: [0, Math.max(1, run.options.epochs)],
    series: [
      { name: 'train (per batch)', color: CURVE_COLORS.batch, points: run.batches.map((b) => [b.epoch - 1 + b.batch / b.batches, b.loss] as const) },
      { name: 'train (epoch mean)', color: CURVE_COLORS.train, points: run.epochs.map((e) => [e.epoch, e.trainLoss] as const) },
      { name: 'validation', color: CURVE_COLORS.validation, points: run.epochs.map((e) => [e.epoch, e.valLoss] as const) },
    ].filter((s) => s.points.length > 0),
  });
}

export function accuracyChart(run: TrainingRun): RgbaImage {
  return lineChart({
    title: `${run.model}: accuracy`,
    xLabel: 'epoch',
    yLabel: 'accuracy',
    xRange: [0, Math.max(1, run.options.epochs)],
    series: [
      { name: 'train', color: CURVE_COLORS.train, points: run.epochs.map((e) => [e.epoch, e.trainAcc] as const) },
      { name: 'validation', color: CURVE_COLORS.validation, points: run.epochs.map((e) => [e.epoch, e.valAcc] as const) },
      { name: 'test (after training)', color: CURVE_COLORS.test, points: [[run.epochs.length, run.test.accuracy] as const] },
    ],
  });
}

const COLUMNS: ReadonlyArray<[string, (e: EpochMetrics) => string]> = [
  ['epoch', (e) => String(e.epoch)],
  ['train loss', (e) => fixed4(e.trainLoss)],
  ['train acc', (e) => percent(e.trainAcc)],
  ['val loss', (e) => fixed4(e.valLoss)],
  ['val acc', (e) => percent(e.valAcc)],
  ['lr', (e) => String(Number(e.lr.toPrecision(3)))],
  ['samples/s', (e) => formatRate(e.samplesPerSec)],
  ['time', (e) => formatDuration(e.seconds)],
];

/** The epoch table for a terminal: a header line, then one right-aligned line per epoch (so rows can print as epochs finish). */
export function epochTableHeader(): string {
  return COLUMNS.map(([name]) => name.padStart(columnWidth(name))).join('  ');
}

export function epochTableRow(e: EpochMetrics): string {
  return COLUMNS.map(([name, cell]) => cell(e).padStart(columnWidth(name))).join('  ');
}

/** Wide enough for the header and for typical cells ("100.00 %", "12345", "1:23:45"). */
function columnWidth(name: string): number {
  return Math.max(name.length, 8);
}

export function reportMarkdown(run: TrainingRun): string {
  const o = run.options;
  const rows = run.epochs.map((e) => `| ${COLUMNS.map(([, cell]) => cell(e)).join(' | ')} |`);
  return [
    `# Training report: ${run.model} on Fashion-MNIST`,
    '',
    `**Test accuracy: ${percent(run.test.accuracy)}** (test loss ${fixed4(run.test.loss)}, ${run.data.testSamples} test images)`,
    '',
    '| | |',
    '|---|---|',
    `| model | ${run.model}, ${run.parameters.toLocaleString('en-US')} parameters |`,
    `| data | ${run.data.trainSamples} training samples${o.subset === undefined ? '' : ` (subset of 60000)`}, ${percent(o.valFraction)} held out for validation |`,
    `| training | ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, batch size ${o.batchSize}, ${o.optimizer}, lr ${o.lr}, seed ${o.seed} |`,
    `| platform | ${run.platform}; adapter: ${run.adapter} |`,
    `| time | ${formatDuration(run.timings.wallSeconds)} wall (training ${formatDuration(run.timings.trainSeconds)}), ${formatRate(run.samplesPerSec)} samples/s |`,
    `| started | ${run.startedAt} |`,
    '',
    `Reproduce: \`${run.command}\``,
    '',
    '## Epochs',
    '',
    `| ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|${COLUMNS.map(() => '---:').join('|')}|`,
    ...rows,
    '',
    '## Curves',
    '',
    '![loss](loss.png)',
    '',
    '![accuracy](accuracy.png)',
    '',
    '## Files',
    '',
    '- `metrics.json`: the options, per-epoch and per-batch metrics, test metrics and timings of this report.',
    '- `model.safetensors`: the trained weights (safetensors, PyTorch parameter names and layouts).',
    '',
  ].join('\n');
}
