// The body of `npm run train` once a runner is chosen: parse the flags, train, print the result and write
// the report folder. scripts/train-cli.ts runs it with Chromium or a Node child; scripts/train-gpu-entry.ts
// runs it in-process on a machine that has Node and a GPU but no npm.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { lineChart } from './png-chart/chart.js';
import { encodePng } from './png-chart/png.js';
import { reportHtml, type ReportAssets } from '../app/report/html.js';
import { studioUrl } from '../app/session/options.js';
import { formatDuration, formatRate } from '../src/report/progress.js';
import { reportMarkdown, type TrainingRun } from '../src/report/training.js';
import { Display } from './train-display.js';
import { checkDataDir, HELP, parseCli, TEST_SAMPLES, TRAIN_SAMPLES, UsageError, type Cli } from './train-options.js';
import type { LrFinderReport, RunnerIo, SessionRequest, SessionResult } from './train-session.js';

export interface Runner {
  /** Where the training runs, for the first line printed. */
  describe(cli: Cli): string;
  run(cli: Cli, request: SessionRequest, io: RunnerIo): Promise<SessionResult & { platform: string }>;
}

/** report.html's script and stylesheet as scripts/build-report-page.mjs wrote them into `dir` (null when absent). */
export function readReportAssets(dir: string): ReportAssets | null {
  const js = path.join(dir, 'report-page.js'), css = path.join(dir, 'report-page.css');
  if (!existsSync(js)) return null;
  return { js: readFileSync(js, 'utf8'), css: existsSync(css) ? readFileSync(css, 'utf8') : '' };
}

export async function runTraining(argv: string[], { root, command, runner, reportAssets }: { root: string; command: string; runner: Runner; reportAssets: ReportAssets | null }): Promise<number> {
  let cli: Cli | 'help';
  try {
    cli = parseCli(argv, root);
    if (cli !== 'help') checkDataDir(cli.dataDir, cli.dataFlag, existsSync);
  } catch (e) {
    if (!(e instanceof UsageError) && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw e;
    console.error(`train: ${(e as Error).message}\n(${command} --help lists the flags)`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  const { options, testSubset, out, dataDir, checkpointEvery, allowNonFinite } = cli;
  const startedAt = new Date();
  const wallStart = performance.now();
  const display = new Display(options.epochs);
  const samples = options.subset || TRAIN_SAMPLES;
  const studio = studioUrl(options);
  console.log(`train: ${options.model} on ${samples} Fashion-MNIST training images (tested on ${testSubset ?? TEST_SAMPLES}), ${options.epochs} epoch(s), batch ${options.batchSize}, ${options.optimizer} lr ${options.lr}, ${runner.describe(cli)}`);
  console.log(`studio: ${studio}  (npm run studio: the same setup in the browser)`);
  let result: SessionResult & { platform: string };
  try {
    // Checkpoints go straight to the report folder; everything else to the display.
    const io: RunnerIo = {
      onMessage: (m) => {
        if (m.type === 'lr-finder') return display.log(lrFinderLine(m.report));
        if (m.type !== 'checkpoint') return display.onMessage(m);
        const file = path.join(reportDir(out, root), `checkpoint-epoch-${m.epoch}.safetensors`);
        writeFileSync(file, m.bytes);
        display.log(`checkpoint: ${path.relative(process.cwd(), file) || file}`);
      },
      status: display.status,
      log: display.log,
    };
    result = await runner.run(cli, { options, testSubset, dataDir, checkpointEvery, allowNonFinite, findLr: cli.findLr, transfer: cli.transfer }, io);
  } catch (e) {
    display.clear();
    console.error(`train: failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  display.clear();

  const trainSeconds = result.epochs.reduce((s, e) => s + e.seconds, 0);
  const run: TrainingRun = {
    command: [command, ...argv].join(' ').replace(/ --$/, ''),
    startedAt: startedAt.toISOString(),
    platform: result.platform,
    adapter: result.adapter,
    model: result.model,
    parameters: result.parameters,
    options: result.lrFinder ? { ...options, lr: result.lrFinder.usedLr } : options,
    studioUrl: studio,
    data: { trainSamples: result.trainSamples, testSamples: result.testSamples },
    epochs: result.epochs,
    steps: result.steps.map(({ step, epoch, batch, batches, loss, lr }) => ({ step, epoch, batch, batches, loss, lr })),
    test: { loss: result.testLoss, accuracy: result.testAcc },
    samplesPerSec: trainSeconds > 0 ? result.epochs.reduce((s, e) => s + e.samplesPerSec * e.seconds, 0) / trainSeconds : 0,
    timings: { trainSeconds, recipeSeconds: result.totalSeconds, wallSeconds: (performance.now() - wallStart) / 1000 },
  };
  writeReport(out, run, result.weights, root, reportAssets);
  if (result.lrFinder) writeLrFinder(out, result.lrFinder);

  if (result.loadReport) {
    const r = result.loadReport;
    console.log(`\n--init-weights: loaded ${r.loaded.length} tensors; skipped ${[...r.mismatched, ...r.unexpected.map((n) => `${n} (not in the model)`)].join('; ') || 'none'}`);
  }
  console.log(`\nTest accuracy: ${(100 * run.test.accuracy).toFixed(2)} %  (test loss ${run.test.loss.toFixed(4)}, ${run.data.testSamples} images)`);
  console.log(`${run.parameters.toLocaleString('en-US')} parameters, ${formatDuration(run.timings.wallSeconds)} in all, ${formatRate(run.samplesPerSec)} samples/s on ${run.adapter}`);
  console.log(`report: ${path.relative(process.cwd(), path.join(out, reportAssets ? 'report.html' : 'report.md')) || out}`);
  return 0;
}

function lrFinderLine(r: LrFinderReport): string {
  const found = Number.isFinite(r.suggestedLr);
  return `learning-rate range test (${r.lrs.length} of ${r.steps} steps${r.diverged ? ', stopped at divergence' : ''}): ` +
    (found ? `lowest smoothed loss at lr ${r.minLossLr.toPrecision(3)}, steepest descent at ${r.steepestLr.toPrecision(3)}; training with a tenth of the lowest, lr ${r.usedLr.toPrecision(3)}`
      : `the loss never fell; training with --lr ${r.usedLr}`);
}

/** lr-finder.json, lr-finder.png and a section of report.md. */
function writeLrFinder(out: string, r: LrFinderReport): void {
  writeFileSync(path.join(out, 'lr-finder.json'), `${JSON.stringify(r, null, 2)}\n`);
  const log10 = (v: number) => Math.log10(v);
  // The diverging tail would flatten the curve: losses above 1.5× the first smoothed one are left out.
  const cap = 1.5 * Math.max(r.smoothed[0]!, Math.min(...r.smoothed));
  const capped = (v: number) => (v <= cap ? v : NaN);
  const chart = lineChart({
    title: 'LR range test: loss vs log10(lr)', xLabel: 'log10(learning rate)', yLabel: 'loss',
    series: [
      { name: 'batch loss', points: r.lrs.map((lr, i) => [log10(lr), capped(r.losses[i]!)] as const), color: [150, 150, 150], markers: false },
      { name: 'smoothed', points: r.lrs.map((lr, i) => [log10(lr), capped(r.smoothed[i]!)] as const), color: [31, 119, 180], markers: false },
      ...(Number.isFinite(r.suggestedLr) ? [{ name: 'lowest loss', points: [[log10(r.minLossLr), r.smoothed[r.lrs.indexOf(r.minLossLr)]!] as const], color: [214, 39, 40] as const, markers: true, line: false }] : []),
    ],
  });
  writeFileSync(path.join(out, 'lr-finder.png'), encodePng(chart, (b) => deflateSync(b)));
  const report = path.join(out, 'report.md');
  writeFileSync(report, `${readFileSync(report, 'utf8')}\n## Learning-rate range test\n\n${lrFinderLine(r)}.\n\n![lr finder](lr-finder.png)\n`);
}

/** Creates the report folder (once) and returns it. */
export function reportDir(out: string, root: string): string {
  const runs = path.join(root, 'runs');
  // Reports are outputs, never sources: the default folder ignores itself rather than relying on the repo's .gitignore.
  if (out.startsWith(runs + path.sep) && !existsSync(runs)) {
    mkdirSync(runs, { recursive: true });
    writeFileSync(path.join(runs, '.gitignore'), '*\n');
  }
  mkdirSync(out, { recursive: true });
  return out;
}

function writeReport(out: string, run: TrainingRun, weights: Uint8Array, root: string, assets: ReportAssets | null): void {
  reportDir(out, root);
  writeFileSync(path.join(out, 'metrics.json'), `${JSON.stringify(run, null, 2)}\n`);
  if (assets) writeFileSync(path.join(out, 'report.html'), reportHtml(run, assets));
  else console.error('train: no report-page.js next to the CLI (scripts/build-report-page.mjs): report.html left out');
  writeFileSync(path.join(out, 'model.safetensors'), weights);
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(run));
}
