// The lecture's sanity checks (lecture 004) on fresh models built from the current setup, so the run being watched
// is untouched: initial loss against ln C, overfitting 20 samples to 100 %, a gradient check on a small batch, and a
// larger L2 raising the loss. Each result says pass/fail with its numbers.
import {
  DataLoader, crossEntropy, gradCheck, initialLossCheck, overfitCheck, regularizationCheck, seed as seedRng, tensor,
  type InMemoryDataset, type LabeledBatch,
} from '../../src/index.js';
import { buildModel } from '../../app/session/models.js';
import { buildOptimizer } from '../../app/session/optimizer.js';
import { CLASSES } from './trainer.js';
import type { SanityResult } from './protocol.js';
import { sessionOptions, type StudioSetup } from './setup.js';

function batchOf(data: InMemoryDataset, n: number): LabeledBatch {
  const b = new DataLoader(data, { batchSize: Math.min(n, data.length), shuffle: false }).batches().next().value!;
  return { x: b.x, y: b.y, shape: b.shape };
}

const fmt = (x: number, d = 3) => (Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(d));

/** Runs the four checks one after another, handing each result to `report` as it comes. */
export async function runSanityChecks(setup: StudioSetup, train: InMemoryDataset, stepsPerEpoch: number, report: (r: SanityResult) => void): Promise<void> {
  const fresh = (s: StudioSetup = setup) => {
    seedRng(s.seed);
    return buildModel(sessionOptions(s));
  };
  const batch = batchOf(train, 64);

  let model = fresh();
  try {
    const r = await initialLossCheck(model, batch, CLASSES);
    report({
      name: 'initial loss ≈ ln C', pass: r.relError < 0.1,
      detail: `loss ${fmt(r.loss)} vs ln ${CLASSES} = ${fmt(r.expected)} (${(100 * r.relError).toFixed(1)} % off; pass under 10 %)`,
    });
  } finally { model.dispose(); }

  model = fresh();
  try {
    const r = await regularizationCheck(model, batch, [0, 1e-3, 1e-2, 1e-1]);
    report({
      name: 'larger L2 raises the loss', pass: r.increasing,
      detail: r.lambdas.map((l, i) => `λ=${l}: ${fmt(r.losses[i]!, 4)}`).join(', '),
    });
  } finally { model.dispose(); }

  model = fresh();
  try {
    // Eval mode: dropout off and batch norm on running statistics, so the loss is a deterministic function of the weights.
    model.eval();
    const small = batchOf(train, 4);
    const x = tensor(small.x, small.shape);
    const r = await gradCheck(() => crossEntropy(model.forward(x), small.y), model.parameters(), { samples: 5, eps: 1e-2, seed: setup.seed });
    x.dispose();
    const errs = r.entries.map((e) => e.relError).sort((a, b) => a - b);
    const median = errs[Math.floor(errs.length / 2)]!;
    const under = errs.filter((e) => e < 1e-2).length;
    report({
      name: 'gradient check (4 samples, f32)', pass: median < 1e-2,
      detail: `median relative error ${fmt(median)}, max ${fmt(r.maxRelError)}; ${under}/${errs.length} entries under 1e-2 (pass: median under 1e-2; ReLU kinks and tiny gradients make a few large)`,
    });
  } finally { model.dispose(); }

  // The lecture: overfit with regularization off (and a constant learning rate).
  const plain: StudioSetup = { ...setup, l2: 0, dropout: 0, schedule: 'constant', warmup: 0 };
  model = fresh(plain);
  const tiny = train.subset(Int32Array.from({ length: Math.min(20, train.length) }, (_, i) => i));
  const optimizer = buildOptimizer(model.parameters(), sessionOptions(plain), stepsPerEpoch);
  try {
    const r = await overfitCheck(model, tiny, optimizer, { epochs: 100 });
    report({
      name: `overfit ${tiny.length} samples to 100 %`, pass: r.accuracy === 1,
      detail: `training accuracy ${(100 * r.accuracy).toFixed(1)} %, loss ${fmt(r.loss, 4)} after ${r.epochs} full-batch steps with ${setup.optimizer} lr ${setup.lr}`,
    });
  } finally {
    optimizer.disposeWithModel(model);
  }
}
