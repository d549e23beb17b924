// The body of `npm run train` once a runner is chosen: parse the flags, train, print the result and write
// the report folder. scripts/train-cli.ts runs it with Chromium or a Node child; scripts/train-gpu-entry.ts
// runs it in-process on a machine that has Node and a GPU but no npm.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { encodePng } from '../src/report/png.js';
import { formatDuration } from '../src/report/progress.js';
import { accuracyChart, lossChart, reportMarkdown, type TrainingRun } from '../src/report/training.js';
import { Display } from './train-display.js';
import { HELP, parseCli, TEST_SAMPLES, TRAIN_SAMPLES, UsageError, type Cli } from './train-options.js';
import type { RunnerIo, SessionRequest, SessionResult } from './train-session.js';

export interface Runner {
  /** Where the training runs, for the first line printed. */
  describe(cli: Cli): string;
  run(cli: Cli, request: SessionRequest, io: RunnerIo): Promise<SessionResult & { platform: string }>;
}

export async function runTraining(argv: string[], { root, command, runner }: { root: string; command: string; runner: Runner }): Promise<number> {
  let cli: Cli | 'help';
  try {
    cli = parseCli(argv, root);
  } catch (e) {
    if (!(e instanceof UsageError) && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw e;
    console.error(`train: ${(e as Error).message}\n(${command} --help lists the flags)`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  const { options, testSubset, out, dataDir } = cli;
  const startedAt = new Date();
  const wallStart = performance.now();
  const display = new Display(options.epochs);
  const samples = options.subset ?? TRAIN_SAMPLES;
  console.log(`train: ${options.model} on ${samples} Fashion-MNIST training images (tested on ${testSubset ?? TEST_SAMPLES}), ${options.epochs} epoch(s), batch ${options.batchSize}, ${options.optimizer} lr ${options.lr}, ${runner.describe(cli)}`);
  let result: SessionResult & { platform: string };
  try {
    // Checkpoints go straight to the report folder; everything else to the display.
    const io: RunnerIo = {
      onMessage: (m) => {
        if (m.type !== 'checkpoint') return display.onMessage(m);
        const file = path.join(reportDir(out, root), `checkpoint-epoch-${m.epoch}.safetensors`);
        writeFileSync(file, m.bytes);
        display.log(`checkpoint: ${path.relative(process.cwd(), file) || file}`);
      },
      status: display.status,
      log: display.log,
    };
    result = await runner.run(cli, { options, testSubset, dataDir }, io);
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
    options,
    data: { trainSamples: result.trainSamples, testSamples: result.testSamples },
    epochs: result.epochs,
    batches: result.batches,
    test: { loss: result.testLoss, accuracy: result.testAcc },
    samplesPerSec: trainSeconds > 0 ? result.epochs.reduce((s, e) => s + e.samplesPerSec * e.seconds, 0) / trainSeconds : 0,
    timings: { trainSeconds, recipeSeconds: result.totalSeconds, wallSeconds: (performance.now() - wallStart) / 1000 },
  };
  writeReport(out, run, result.weights, root);

  if (result.loadReport) {
    const r = result.loadReport;
    console.log(`\n--init: loaded ${r.loaded.length} tensors; skipped ${[...r.mismatched, ...r.unexpected.map((n) => `${n} (not in the model)`)].join('; ') || 'none'}`);
  }
  console.log(`\nTest accuracy: ${(100 * run.test.accuracy).toFixed(2)} %  (test loss ${run.test.loss.toFixed(4)}, ${run.data.testSamples} images)`);
  console.log(`${run.parameters.toLocaleString('en-US')} parameters, ${formatDuration(run.timings.wallSeconds)} in all, ${Math.round(run.samplesPerSec)} samples/s on ${run.adapter}`);
  console.log(`report: ${path.relative(process.cwd(), path.join(out, 'report.md')) || out}`);
  return 0;
}

/** Creates the report folder (once) and returns it. */
function reportDir(out: string, root: string): string {
  const runs = path.join(root, 'runs');
  // Reports are outputs, never sources: the default folder ignores itself rather than relying on the repo's .gitignore.
  if (out.startsWith(runs + path.sep) && !existsSync(runs)) {
    mkdirSync(runs, { recursive: true });
    writeFileSync(path.join(runs, '.gitignore'), '*\n');
  }
  mkdirSync(out, { recursive: true });
  return out;
}

function writeReport(out: string, run: TrainingRun, weights: Uint8Array, root: string): void {
  reportDir(out, root);
  const png = (img: Parameters<typeof encodePng>[0]) => encodePng(img, (b) => deflateSync(b));
  writeFileSync(path.join(out, 'metrics.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(out, 'loss.png'), png(lossChart(run)));
  writeFileSync(path.join(out, 'accuracy.png'), png(accuracyChart(run)));
  writeFileSync(path.join(out, 'model.safetensors'), weights);
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(run));
}
