// One `npm run train` session as the GPU side runs it (the browser page and the Node entry alike): load
// Fashion-MNIST, initialize WebGPU, train with the session module the Studio uses (app/session/), and stream
// progress to the CLI, which draws and reports.
import { init, getRuntime } from '../src/device.js';
import { fashionMNISTDataset, loadFashionMNIST, type FashionMNISTOptions } from '../src/data/fashion-mnist.js';
import { saveModel } from '../src/io/model.js';
import type { TransferOptions } from '../app/session/transfer.js';
import type { LoadReport } from '../src/io/model.js';
import { findSessionLr } from '../app/session/lr-finder.js';
import type { LrFinderResult } from '../src/search/lr-finder.js';
import { Trainer, type EpochReport, type StepReport } from '../app/session/trainer.js';
import type { SessionOptions } from '../app/session/options.js';

/** What the session is doing; 'training' starts with shader compilation and ends after the last epoch. */
export type Phase = 'loading data' | 'initializing WebGPU' | 'finding the learning rate' | 'training' | 'testing';

/** `--find-lr`: the range test's curve and suggestion, and the learning rate the run then trained with. */
export type LrFinderReport = LrFinderResult & { usedLr: number; steps: number };

export type TrainMessage =
  | { type: 'phase'; phase: Phase }
  | { type: 'batch'; progress: StepReport }
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

/** What the CLI asks for: the session's options, and how many of the 10000 test images to score (default all). */
export interface SessionRequest {
  options: SessionOptions;
  testSubset?: number;
  /** Hand a checkpoint (weights and optimizer state) to the CLI every this many epochs. */
  checkpointEvery?: number;
  /** Keep training through a NaN/±Inf loss (default: stop at the first one with a NonFiniteLossError). */
  allowNonFinite?: boolean;
  /** --augment, --tta, --init-weights, --freeze. */
  transfer?: TransferOptions;
  /** Run the learning-rate range test over this many steps first, and train with its suggestion. */
  findLr?: number;
  /** Folder with the four .gz files, for the Node runners and the browser runner's file server (the page fetches a URL). */
  dataDir?: string;
}

export interface SessionResult {
  epochs: EpochReport[];
  /** Every step whose loss was read back, for the per-step curves. */
  steps: StepReport[];
  testLoss: number;
  testAcc: number;
  /** The trained weights as safetensors (PyTorch names). */
  weights: Uint8Array;
  adapter: string;
  model: string;
  parameters: number;
  trainSamples: number;
  valSamples: number;
  testSamples: number;
  totalSeconds: number;
  lrFinder?: LrFinderReport;
  /** What --init-weights loaded and skipped. */
  loadReport?: LoadReport;
}

/**
 * `gpu`: `navigator.gpu` when undefined. `data`: where the four .gz files are (a URL prefix in the
 * browser, a directory in Node). The result repeats what the messages carried (epochs, step losses), so the
 * report never depends on their delivery.
 */
export async function trainSession(gpu: GPU | undefined, data: FashionMNISTOptions, request: SessionRequest, send: (m: TrainMessage) => void): Promise<SessionResult> {
  const { testSubset, checkpointEvery, allowNonFinite, findLr, transfer } = request;
  let { options } = request;
  send({ type: 'phase', phase: 'loading data' });
  const full = await loadFashionMNIST(data);
  // The test split's first images (loadFashionMNIST's own subset would apply to both splits).
  const n = Math.min(testSubset ?? full.test.n, full.test.n);
  const pixels = full.test.images.length / full.test.n;
  const test = fashionMNISTDataset({ images: full.test.images.subarray(0, n * pixels), labels: full.test.labels.subarray(0, n), n });
  send({ type: 'phase', phase: 'initializing WebGPU' });
  await init({ gpu });
  const rt = getRuntime();
  const pool = fashionMNISTDataset(full.train);
  let lrFinder: LrFinderReport | undefined;
  if (findLr) {
    send({ type: 'phase', phase: 'finding the learning rate' });
    const r = await findSessionLr(options, pool, findLr);
    lrFinder = { ...r, usedLr: Number.isFinite(r.suggestedLr) ? r.suggestedLr : options.lr, steps: findLr };
    send({ type: 'lr-finder', report: lrFinder });
    options = { ...options, lr: lrFinder.usedLr };
  }
  send({ type: 'phase', phase: 'training' });
  const start = performance.now();
  const steps: StepReport[] = [];
  const trainer = new Trainer(options, pool, {
    // About 100 logged losses per epoch (every step on short runs): the report's curves have a point per logged step.
    lossEvery: (steps) => Math.ceil(steps / 100),
    stopOnNonFinite: !allowNonFinite,
    progressMs: 1000,
    transfer,
    onStep: (progress) => {
      steps.push(progress);
      send({ type: 'batch', progress });
    },
    onEpoch: async (report) => {
      send({ type: 'epoch', report });
      if (checkpointEvery && report.epoch % checkpointEvery === 0) send({ type: 'checkpoint', epoch: report.epoch, bytes: await trainer.checkpoint({ epoch: String(report.epoch) }) });
      if (report.epoch === options.epochs) send({ type: 'phase', phase: 'testing' });
    },
  });
  try {
    const epochs = await trainer.run();
    const t = await trainer.evaluate(test, 500);
    const weights = await saveModel(trainer.model, { metadata: { model: options.model, dataset: 'fashion-mnist' } });
    return {
      epochs, steps, testLoss: t.loss, testAcc: t.accuracy, weights,
      adapter: [rt.adapter.vendor, rt.adapter.architecture, rt.adapter.description].filter(Boolean).join(' '),
      model: options.model, parameters: trainer.model.parameters().reduce((s, p) => s + p.size, 0),
      trainSamples: trainer.train.length, valSamples: trainer.val?.length ?? 0, testSamples: test.length,
      totalSeconds: (performance.now() - start) / 1000,
      lrFinder,
      loadReport: trainer.loadReport,
    };
  } finally {
    trainer.dispose();
  }
}
