// The worker's side of the live views: each reads GPU buffers only when the page asks for the view (as often as it
// redraws), and reduces what it read to what the view draws before posting it.
import {
  Conv2d, DataLoader, Linear, add, keep, mul, noGrad, softmax, sub, sum, tensor, tidy,
  type InMemoryDataset, type Module, type Sequential, type Tensor,
} from '../../src/index.js';
import type { StudioRun } from './trainer.js';
import type { FilterView, GalleryItem, LayerView, ParamView, SummaryRow, SummaryView } from './protocol.js';

const HISTOGRAM_BINS = 40;
/** Samples in the probe batch whose activations the layer view shows. */
const PROBE = 32;

function firstBatch(data: InMemoryDataset, n: number): { x: Float32Array; y: Int32Array; shape: number[] } {
  const b = new DataLoader(data, { batchSize: Math.min(n, data.length), shuffle: false }).batches().next().value!;
  return { x: b.x, y: b.y, shape: b.shape };
}

/** Values at the ends of a squashing activation's range count as saturated; for others, none do. */
function saturationBound(layer: string): number | null {
  return layer === 'Tanh' ? 0.99 : layer === 'Sigmoid' ? 0.99 : null;
}

function describeValues(name: string, layer: string, shape: readonly number[], v: Float32Array): LayerView {
  let s = 0, sq = 0, zeros = 0, sat = 0, min = Infinity, max = -Infinity;
  const bound = saturationBound(layer);
  for (const x of v) {
    s += x; sq += x * x;
    if (x === 0) zeros++;
    if (bound !== null && (layer === 'Sigmoid' ? x > bound || x < 1 - bound : Math.abs(x) > bound)) sat++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const n = v.length, mean = s / n;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const width = max > min ? (max - min) / HISTOGRAM_BINS : 1;
  for (const x of v) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((x - min) / width))]!++;
  return { name, layer, shape: [...shape], mean, std: Math.sqrt(Math.max(sq / n - mean * mean, 0)), zeros: zeros / n, saturated: sat / n, histogram: { min, max, counts } };
}

/**
 * Every layer's output on a fixed probe batch (eval mode, fusion off so each activation layer is its own output),
 * read back and reduced to mean, std, zero and saturated fractions and a histogram.
 */
export async function layerViews(run: StudioRun): Promise<LayerView[]> {
  const model = run.model, probe = firstBatch(run.val, PROBE);
  const fusion = model.fusion, wasTraining = model.training;
  model.fusion = false;
  model.eval();
  const outs: { name: string; layer: string; t: Tensor }[] = [];
  try {
    noGrad(() => tidy(() => {
      let y = tensor(probe.x, probe.shape);
      model.layers.forEach((layer, i) => {
        y = layer.forward(y);
        if (layer.constructor.name !== 'Flatten' && layer.constructor.name !== 'Dropout') outs.push({ name: String(i), layer: layer.constructor.name, t: keep(y) });
      });
      return outs.map((o) => o.t);
    }));
    const values = await Promise.all(outs.map((o) => o.t.toArray() as Promise<Float32Array>));
    return outs.map((o, i) => describeValues(o.name, o.layer, o.t.shape, values[i]!));
  } finally {
    for (const o of outs) o.t.dispose();
    model.fusion = fusion;
    model.train(wasTraining);
  }
}

/**
 * Per parameter: the gradient's norm (from the optimizer's gradient arena: the last step's gradients), the weight's
 * norm, and ‖Δw‖/‖w‖ of the last update, given the weights before it (`before`, copies taken ahead of that step).
 * Norms are reduced on the GPU; only scalars come back.
 */
export async function paramViews(run: StudioRun, before: Tensor[] | null): Promise<ParamView[]> {
  const named = run.model.namedParameters();
  const optimizer = run.trainer.optimizer, grads = optimizer.arena.grads;
  const norms = noGrad(() => tidy(() => named.flatMap(([, p], i) => {
    const g = grads[optimizer.arena.params.indexOf(p)] ?? grads[i]!;
    const out = [keep(sum(mul(g, g))), keep(sum(mul(p, p)))];
    if (before) {
      const d = sub(p, before[i]!);
      out.push(keep(sum(mul(d, d))));
    }
    return out;
  })));
  try {
    const v = await Promise.all(norms.map((t) => t.item()));
    const per = before ? 3 : 2;
    return named.map(([name, p], i) => {
      const w = Math.sqrt(v[i * per + 1]!);
      // Before the first step the gradient arena holds no gradient yet.
      return { name, shape: [...p.shape], gradNorm: run.steps === 0 ? NaN : Math.sqrt(v[i * per]!), weightNorm: w, updateRatio: before ? Math.sqrt(v[i * per + 2]!) / (w || 1) : NaN };
    });
  } finally {
    for (const t of norms) t.dispose();
  }
}

/** Copies of the parameters (taken before a step, for the update/weight ratio). */
export function copyParameters(model: Module): Tensor[] {
  return noGrad(() => model.parameters().map((p) => keep(add(p, 0))));
}

/** The first layer's weights as images: a Conv2d's filters, or a Linear's rows seen as 28×28 templates. */
export async function filterView(run: StudioRun): Promise<FilterView | null> {
  const first = run.model.layers.find((m) => m instanceof Conv2d || m instanceof Linear);
  if (!first) return null;
  const w = first instanceof Conv2d ? first.weight : (first as Linear).weight;
  const data = (await w.toArray()) as Float32Array;
  if (first instanceof Conv2d) {
    const [count, channels, height, width] = w.shape as [number, number, number, number];
    return { count, channels, height, width, data, source: `${first.constructor.name} 0.weight [${w.shape.join('×')}]` };
  }
  const [count, features] = w.shape as [number, number];
  const side = Math.round(Math.sqrt(features));
  return { count: Math.min(count, 64), channels: 1, height: side, width: side, data: data.subarray(0, Math.min(count, 64) * features), source: `Linear weight rows [${w.shape.join('×')}] as ${side}×${side} templates` };
}

/** The test images' top-3 predictions (softmax on the GPU, eval mode), misclassified first. */
export async function galleryView(run: StudioRun, count = 100, shown = 24): Promise<{ items: GalleryItem[]; accuracy: number; scored: number }> {
  const data = run.test, n = Math.min(count, data.length);
  const b = firstBatch(data, n);
  const wasTraining = run.model.training;
  run.model.eval();
  let probs: Float32Array;
  try {
    const p = noGrad(() => tidy(() => keep(softmax(run.model.forward(tensor(b.x, b.shape))))));
    probs = (await p.toArray()) as Float32Array;
    p.dispose();
  } finally {
    run.model.train(wasTraining);
  }
  const classes = probs.length / n;
  const all = Array.from({ length: n }, (_, i) => {
    const row = Array.from(probs.subarray(i * classes, (i + 1) * classes), (p, cls) => ({ cls, p })).sort((a, c) => c.p - a.p);
    return { index: i, label: b.y[i]!, top: row.slice(0, 3) };
  });
  const accuracy = all.filter((g) => g.top[0]!.cls === g.label).length / n;
  const ordered = [...all.filter((g) => g.top[0]!.cls !== g.label), ...all.filter((g) => g.top[0]!.cls === g.label)].slice(0, shown);
  const size = b.x.length / n;
  return { accuracy, scored: n, items: ordered.map((g) => ({ ...g, pixels: pixelsOf(data, b.x.subarray(g.index * size, (g.index + 1) * size)) })) };
}

/** A normalized sample back to 0–255 bytes for drawing (undoing the dataset's x' = (x·scale − mean) / std). */
function pixelsOf(data: InMemoryDataset, x: Float32Array): Uint8Array {
  const { scale = 1, mean = 0, std = 1 } = data.normalize;
  const m = typeof mean === 'number' ? mean : mean[0]!, sd = typeof std === 'number' ? std : std[0]!;
  return Uint8Array.from(x, (v) => Math.round(Math.min(255, Math.max(0, (v * sd + m) / scale))));
}

/** Layers with output shapes (from a one-sample forward), parameter counts and bytes, and the compiled step's cost. */
export async function summaryView(run: StudioRun): Promise<SummaryView> {
  const model = run.model, wasTraining = model.training, fusion = model.fusion;
  model.eval();
  model.fusion = false;
  const rows: SummaryRow[] = [];
  try {
    noGrad(() => tidy(() => {
      let y = tensor(new Float32Array(28 * 28), [1, 1, 28, 28]);
      model.layers.forEach((layer, i) => {
        y = layer.forward(y);
        rows.push({ name: String(i), layer: layer.constructor.name, outputShape: [...y.shape], params: layer.parameters().reduce((n, p) => n + p.size, 0) });
      });
      return [];
    }));
  } finally {
    model.fusion = fusion;
    model.train(wasTraining);
  }
  const params = rows.reduce((n, r) => n + r.params, 0);
  const mem = run.stepMemory;
  const text = rows.map((r) => `(${r.name}) ${r.layer.padEnd(12)} → [${r.outputShape.join(', ')}]${r.params ? `  ${r.params.toLocaleString('en')} params` : ''}`).join('\n');
  return { rows, params, paramBytes: params * 4, dispatches: run.dispatches, stepBytes: mem?.peakBytes ?? null, naiveBytes: mem?.naiveBytes ?? null, text };
}
