// What a training run leaves behind (metrics.json, report.md; report.html's charts are drawn by the browser
// from app/report/), independent of where it ran.
import { formatDuration } from './progress.js';

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

/** A training step whose loss was read back; `step` counts updates from 1, `batch` counts from 1 within `epoch`. */
export interface StepLoss {
  step: number;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  /** Learning rate the step used. */
  lr: number;
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
  /** The session's options (app/session/options.ts: the CLI flags and Studio URL keys); subset 0 = all. */
  options: { epochs: number; batchSize: number; lr: number; optimizer: string; subset: number; seed: number; valFraction: number; [key: string]: unknown };
  /** The Studio page (npm run studio) set up for the same run. */
  studioUrl?: string;
  data: { trainSamples: number; testSamples: number };
  epochs: EpochMetrics[];
  steps: StepLoss[];
  test: { loss: number; accuracy: number };
  /** Training samples per second over the whole run (the epochs' own rates averaged by time). */
  samplesPerSec: number;
  timings: { trainSeconds: number; recipeSeconds: number; wallSeconds: number };
}

/** Missing metrics (no validation split: NaN) print as a dash. */
const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : '-');
const fixed4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');

const COLUMNS: ReadonlyArray<[string, (e: EpochMetrics) => string]> = [
  ['epoch', (e) => String(e.epoch)],
  ['train loss', (e) => fixed4(e.trainLoss)],
  ['train acc', (e) => percent(e.trainAcc)],
  ['val loss', (e) => fixed4(e.valLoss)],
  ['val acc', (e) => percent(e.valAcc)],
  ['lr', (e) => String(Number(e.lr.toPrecision(3)))],
  ['samples/s', (e) => String(Math.round(e.samplesPerSec))],
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
    `| data | ${run.data.trainSamples} training samples${o.subset ? ` (of the first ${o.subset} of 60000)` : ''}, ${percent(o.valFraction)} held out for validation |`,
    `| training | ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, batch size ${o.batchSize}, ${o.optimizer}, lr ${o.lr}, seed ${o.seed} |`,
    `| platform | ${run.platform}; adapter: ${run.adapter} |`,
    `| time | ${formatDuration(run.timings.wallSeconds)} wall (training ${formatDuration(run.timings.trainSeconds)}), ${Math.round(run.samplesPerSec)} samples/s |`,
    `| started | ${run.startedAt} |`,
    '',
    `Reproduce: \`${run.command}\``,
    ...(run.studioUrl ? ['', `Same setup in the Studio (\`npm run studio\`): <${run.studioUrl}>`] : []),
    '',
    '## Epochs',
    '',
    `| ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|${COLUMNS.map(() => '---:').join('|')}|`,
    ...rows,
    '',
    '## Curves',
    '',
    `[report.html](report.html): loss per logged step (raw and smoothed) with validation loss per epoch, accuracy and learning rate (${run.steps.length} logged steps).`,
    '',
    '## Files',
    '',
    '- `metrics.json`: the options, per-epoch and per-batch metrics, test metrics and timings of this report.',
    '- `model.safetensors`: the trained weights (safetensors, PyTorch parameter names and layouts).',
    '',
  ].join('\n');
}
