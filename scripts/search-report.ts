// `npm run search`'s run folder: search.json, report.md and curves.png.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { lineChart, type Series } from './png-chart/chart.js';
import { encodePng } from './png-chart/png.js';
import { formatDuration } from '../src/report/progress.js';
import { formatSearchTable } from '../src/search/format.js';
import type { SearchResult } from '../src/search/search.js';
import { formatConfig } from '../src/search/space.js';
import type { SearchCli } from './search-options.js';

export interface SearchRun {
  command: string;
  startedAt: string;
  adapter: string;
  cli: Omit<SearchCli, 'space'> & { space: unknown };
  trainSamples: number;
  result: Omit<SearchResult, 'bestWeights' | 'table'> & { table: Omit<SearchResult['table'][number], 'weights'>[] };
}

const BEST: [number, number, number] = [214, 39, 40];
const OTHER: [number, number, number] = [150, 170, 200];

/** Every trial's validation curve (first fold), the best one in red. */
export function curvesChart(r: SearchResult): ReturnType<typeof lineChart> {
  const y = (p: { valAcc: number; valLoss: number }) => (r.metric === 'valAcc' ? 100 * p.valAcc : p.valLoss);
  const series: Series[] = [...r.table].reverse().map((t) => ({
    name: `trial ${t.index}`,
    points: (t.history[0] ?? []).map((p) => [p.step, y(p)] as const),
    color: t === r.best ? BEST : OTHER,
    markers: true,
  }));
  return lineChart({ series, title: `Validation ${r.metric === 'valAcc' ? 'accuracy (%)' : 'loss'} of every trial (best in red)`, xLabel: 'optimizer steps', yLabel: r.metric === 'valAcc' ? 'accuracy %' : 'loss' });
}

export function searchMarkdown(run: SearchRun, table: string): string {
  const r = run.result, c = run.cli;
  const best = r.best;
  const budget = c.steps !== undefined ? `${c.steps} steps` : `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`;
  const scoring = c.folds !== undefined ? `${c.folds}-fold cross-validation (score: mean over folds)` : `holdout ${Math.round(100 * c.valFraction)} %`;
  const shown = (v: number) => (r.metric === 'valAcc' ? `${(100 * v).toFixed(2)} %` : v.toFixed(4));
  return [
    `# Hyperparameter search: ${c.model} on Fashion-MNIST`,
    '',
    best ? `**Best: ${shown(best.score)} ${r.metric === 'valAcc' ? 'validation accuracy' : 'validation loss'}** with \`${formatConfig(best.config)}\` (trial #${best.index})` : '**No trial finished without diverging.**',
    '',
    '| | |',
    '|---|---|',
    `| search | ${c.search}, ${r.table.length} trials over \`${c.spaceText}\`, seed ${c.seed} |`,
    `| budget | ${budget} per trial, batch size ${c.batchSize}${c.patience ? `, early stopping after ${c.patience} validations without improvement` : ''} |`,
    `| data | ${run.trainSamples} training images, ${scoring} |`,
    `| concurrency | ${r.memory.concurrency} trials at once (asked ${r.memory.requested}); ${(r.memory.perTrialBytes / 2 ** 20).toFixed(2)} MiB per trial, peak ${(r.memory.peakInUseBytes / 2 ** 20).toFixed(1)} MiB in use, budget ${(r.memory.memoryBudget / 2 ** 20).toFixed(0)} MiB |`,
    `| stacking | ${r.memory.stacks ? `${r.memory.stackedRuns} runs trained in ${r.memory.stacks} stack(s) (one model over a trial dimension, each run's numbers its own)` : 'none (each run its own compiled step)'} |`,
    `| platform | Node ${process.version} + dawn.node; adapter: ${run.adapter} |`,
    `| time | ${formatDuration(r.seconds)} |`,
    `| started | ${run.startedAt} |`,
    '',
    `Reproduce: \`${run.command}\``,
    '',
    '## Trials, best first',
    '',
    '```',
    table,
    '```',
    '',
    'Diverged trials (NaN/Inf loss) were stopped and are listed last without a score.',
    '',
    '![curves](curves.png)',
    '',
    '## Files',
    '',
    '- `search.json`: the options and every trial (configuration, status, score per fold, validation curve).',
    best ? '- `best.safetensors`: the best trial\'s weights at its best validation (PyTorch names and layouts).' : '',
    '',
  ].join('\n');
}

export function writeSearchReport(out: string, run: SearchRun, result: SearchResult): void {
  const table = formatSearchTable(result.table, result.metric);
  writeFileSync(path.join(out, 'search.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(out, 'report.md'), searchMarkdown(run, table));
  if (result.table.some((t) => t.history[0]?.some((p) => Number.isFinite(p.valLoss)))) {
    writeFileSync(path.join(out, 'curves.png'), encodePng(curvesChart(result), (b) => deflateSync(b)));
  }
  if (result.bestWeights) writeFileSync(path.join(out, 'best.safetensors'), result.bestWeights);
}
