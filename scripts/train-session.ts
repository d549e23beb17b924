// One `npm run train` session as the GPU side runs it (the browser page and the Node entry alike): load
// Fashion-MNIST, initialize WebGPU, run the recipe, and stream progress to the CLI, which draws and reports.
import { init } from '../src/device.js';
import { loadFashionMNIST, type FashionMNISTOptions } from '../src/data/fashion-mnist.js';
import type { BatchLoss } from '../src/report/training.js';
import { findRecipeLr, trainFashionMNIST, type BatchProgress, type EpochReport, type RecipeOptions, type TrainResult } from '../src/train/recipe.js';
import type { LrFinderResult } from '../src/search/lr-finder.js';

/** What the session is doing; 'training' starts with shader compilation and ends after the last epoch. */
export type Phase = 'loading data' | 'initializing WebGPU' | 'finding the learning rate' | 'training' | 'testing';

/** `--find-lr`: the range test's curve and suggestion, and the learning rate the run then trained with. */
export type LrFinderReport = LrFinderResult & { usedLr: number; steps: number };

export type TrainMessage =
  | { type: 'phase'; phase: Phase }
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'lr-finder'; report: LrFinderReport }
  /** Weights and optimizer state after `epoch` (safetensors), every `checkpointEvery` epochs. */
  | { type: 'checkpoint'; epoch: number; bytes: Uint8Array };

/** How a runner (browser or Node) talks to the CLI's display. */
export interface RunnerIo {
  onMessage(m: TrainMessage): void;
  /** What the runner itself is doing (starting Chromium…). */
  status(text: string): void;
  /** Output that must stay visible: page errors, the child process's output. */
  log(line: string): void;
}

/** What the CLI asks for: the recipe's options, and how many of the 10000 test images to score (default all). */
export interface SessionRequest {
  options: RecipeOptions;
  testSubset?: number;
  /** Run the learning-rate range test over this many steps first, and train with its suggestion. */
  findLr?: number;
  /** Folder with the four .gz files, for the Node runners and the browser runner's file server (the page fetches a URL). */
  dataDir?: string;
}

export interface SessionResult extends TrainResult {
  /** Every batch whose loss the recipe reported, for the per-batch loss curve. */
  batches: BatchLoss[];
  trainSamples: number;
  testSamples: number;
  lrFinder?: LrFinderReport;
}

/**
 * `gpu`: `navigator.gpu` when undefined. `data`: where the four .gz files are (a URL prefix in the
 * browser, a directory in Node). The result repeats what the messages carried (epochs, batch losses), so the
 * report never depends on their delivery.
 */
export async function trainSession(gpu: GPU | undefined, data: FashionMNISTOptions, { options, testSubset, findLr }: SessionRequest, send: (m: TrainMessage) => void): Promise<SessionResult> {
  send({ type: 'phase', phase: 'loading data' });
  const full = await loadFashionMNIST(data);
  const { train } = full;
  // The test split's first images, as loadFashionMNIST's own subset takes them (its subset applies to both splits).
  const n = Math.min(testSubset ?? full.test.n, full.test.n);
  const pixels = full.test.images.length / full.test.n;
  const test = { images: full.test.images.subarray(0, n * pixels), labels: full.test.labels.subarray(0, n), n };
  send({ type: 'phase', phase: 'initializing WebGPU' });
  await init({ gpu });
  let lrFinder: LrFinderReport | undefined;
  if (findLr) {
    send({ type: 'phase', phase: 'finding the learning rate' });
    const r = await findRecipeLr({ train, test }, options, findLr);
    lrFinder = { ...r, usedLr: Number.isFinite(r.suggestedLr) ? r.suggestedLr : options.lr, steps: findLr };
    send({ type: 'lr-finder', report: lrFinder });
    options = { ...options, lr: lrFinder.usedLr };
  }
  send({ type: 'phase', phase: 'training' });
  const batches: BatchLoss[] = [];
  const result = await trainFashionMNIST(
    { train, test },
    options,
    (progress) => {
      if (progress.loss !== undefined) batches.push({ epoch: progress.epoch, batch: progress.batch, batches: progress.batches, loss: progress.loss });
      send({ type: 'batch', progress });
    },
    (report) => {
      send({ type: 'epoch', report });
      if (report.epoch === options.epochs) send({ type: 'phase', phase: 'testing' });
    },
    (epoch, bytes) => send({ type: 'checkpoint', epoch, bytes }),
  );
  return { ...result, batches, trainSamples: Math.min(options.subset ?? train.n, train.n), testSamples: test.n, lrFinder };
}
