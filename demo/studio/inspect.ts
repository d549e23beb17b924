// The worker's side of the live views: each reads GPU buffers only when the page asks for the view (as often as it
// redraws), and reduces what it read to what the view draws before posting it.
import { Conv2d, DataLoader, Linear, diagnoseLayer, predictTopK, tensor, type InMemoryDataset } from '../../src/index.js';
import type { StudioRun } from './trainer.js';
import type { FilterWeights, GalleryItem, LayerView, ParamView, SummaryView } from './protocol.js';

function firstBatch(data: InMemoryDataset, n: number): { x: Float32Array; y: Int32Array; shape: number[] } {
  const b = new DataLoader(data, { batchSize: Math.min(n, data.length), shuffle: false }).batches().next().value!;
  return { x: b.x, y: b.y, shape: b.shape };
}

/**
 * The session's in-step statistics (computed inside the compiled step on the GPU at a requested replay, read back
 * asynchronously) as the layer view's rows: every layer's output on that step's batch, and every parameter's
 * gradient norm, weight norm and ‖Δw‖/‖w‖ of that step's update.
 */
export async function statsView(run: StudioRun): Promise<{ step: number; layers: LayerView[]; params: ParamView[] } | null> {
  const report = await run.trainer.readStats();
  if (!report) return null;
  const layers = report.layers.map((l) => ({
    label: l.label, mean: l.mean, std: l.std, zeros: l.zeroFraction, nearZero: l.nearZeroFraction, saturated: l.saturatedFraction,
    histogram: { min: l.min, max: l.max, counts: l.histogram }, problems: diagnoseLayer(l),
  }));
  const params = report.parameters.map((p) => ({ name: p.name, count: p.weight.count, gradNorm: p.grad.norm, weightNorm: p.weight.norm, updateRatio: p.updateRatio }));
  // The report counts the replays of this run's step; the page counts the run's steps: the same for one run.
  return { step: report.step, layers, params };
}

/** The first layer's weights as images: a Conv2d's filters, or a Linear's rows seen as 28×28 templates. */
export async function filterView(run: StudioRun): Promise<FilterWeights | null> {
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

/** The test images' top-3 predictions (the library's predictTopK: softmax in eval mode on the GPU), misclassified first. */
export async function galleryView(run: StudioRun, count = 100, shown = 24): Promise<{ items: GalleryItem[]; accuracy: number; scored: number }> {
  const data = run.test, n = Math.min(count, data.length);
  const b = firstBatch(data, n);
  const x = tensor(b.x, b.shape);
  let top;
  try {
    top = await predictTopK(run.model, x, 3);
  } finally {
    x.dispose();
  }
  const all = Array.from({ length: n }, (_, i) => ({ index: i, label: b.y[i]!, top: top.row(i).map((t) => ({ cls: t.index, p: t.probability })) }));
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

/** The session's model summary: layers, output shapes, parameters and bytes, and the compiled step's dispatches and memory. */
export function summaryView(run: StudioRun): SummaryView {
  const s = run.trainer.summary();
  return { text: s.toString(), layers: s.layers.length, parameters: s.parameters, parameterBytes: s.parameterBytes, dispatches: s.step?.dispatches ?? null, peakBytes: s.step?.peakBytes ?? null, naiveBytes: s.step?.naiveBytes ?? null };
}
