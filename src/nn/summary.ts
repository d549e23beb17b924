import { noGrad } from '../autograd.js';
import { getRuntime } from '../device.js';
import { BYTES_PER_ELEMENT } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { PlanCounts, PlanMemory } from '../executor/plan.js';
import { zeros } from '../ops/creation.js';
import { tidy, type Tensor } from '../tensor.js';
import type { Module } from './module.js';

/** One leaf module of a model (containers are walked into, not listed). */
export interface LayerSummary {
  /** PyTorch's dotted name of the module ('0', 'features.3'). */
  name: string;
  /** Class name ('Conv2d'). */
  type: string;
  /** Its PyTorch-style repr ('Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))'). */
  repr: string;
  outputShape: number[];
  /** Parameter values (weights and biases). */
  parameters: number;
  /** Bytes of its parameters and buffers (running statistics). */
  bytes: number;
}

/** What a compiled step replays, from CompiledStep.counts() and memory(). */
export interface StepSummary {
  dispatches: number;
  copies: number;
  passes: number;
  /** Bytes of the intermediates the plan keeps (after buffer reuse), and without reuse. */
  peakBytes: number;
  naiveBytes: number;
}

export interface ModelSummary {
  inputShape: number[];
  layers: LayerSummary[];
  parameters: number;
  parameterBytes: number;
  /** Running statistics and other non-trainable state. */
  bufferBytes: number;
  /** Present when a compiled step that has run was given. */
  step: StepSummary | null;
  /** A table: layer, output shape, parameters, then totals (and the step's dispatches and memory). */
  toString(): string;
}

/** The part of a CompiledStep a summary reads. */
export interface SummarizableStep {
  counts(): PlanCounts | null;
  memory(): PlanMemory | null;
}

const sizeOf = (t: Tensor) => t.size;

/** `1,234` / `2.4 KiB` / `3.1 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * Layers, output shapes for `inputShape` (batch included, e.g. [64, 1, 28, 28]), parameter counts and bytes;
 * with `step` (a compiled step that has run at least once), its dispatches, copies and intermediate memory.
 * Output shapes come from one forward pass of zeros in eval mode without autodiff (a few dispatches, nothing
 * read back); the model's parameters, buffers and mode are left as they were.
 */
export function summarize(model: Module, inputShape: readonly number[], step?: SummarizableStep): ModelSummary {
  if (!Array.isArray(inputShape) || inputShape.length === 0 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError('summary', `inputShape must be a non-empty list of positive integers (batch first, e.g. [64, 1, 28, 28]), got [${String(inputShape)}]`);
  }
  const rt = model.parameters()[0]?.rt ?? getRuntime();
  const layers: LayerSummary[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => tidy(() => {
      const walk = (m: Module, name: string, x: Tensor): Tensor => {
        const children = m.namedChildren();
        // Containers that run their children in order (Sequential) are walked into; any other module is one row.
        if (children.length > 0 && 'layers' in m) {
          let y = x;
          for (const [n, c] of children) y = walk(c, name ? `${name}.${n}` : n, y);
          return y;
        }
        const y = m.forward(x);
        const params = m.parameters(), buffers = m.namedBuffers().map(([, t]) => t);
        layers.push({
          name, type: m.constructor.name, repr: String(m), outputShape: [...y.shape],
          parameters: params.map(sizeOf).reduce((a, b) => a + b, 0),
          bytes: [...params, ...buffers].map(sizeOf).reduce((a, b) => a + b, 0) * BYTES_PER_ELEMENT,
        });
        return y;
      };
      walk(model, '', zeros(inputShape, 'f32', rt));
      return [];
    }, rt));
  } finally {
    model.train(wasTraining);
  }
  const parameters = model.parameters().map(sizeOf).reduce((a, b) => a + b, 0);
  const bufferBytes = model.namedBuffers().map(([, t]) => sizeOf(t)).reduce((a, b) => a + b, 0) * BYTES_PER_ELEMENT;
  const counts = step?.counts() ?? null, memory = step?.memory() ?? null;
  const stepSummary: StepSummary | null = counts && memory
    ? { dispatches: counts.dispatches, copies: counts.copies, passes: counts.passes, peakBytes: memory.peakBytes, naiveBytes: memory.naiveBytes }
    : null;
  const summary = {
    inputShape: [...inputShape], layers, parameters, parameterBytes: parameters * BYTES_PER_ELEMENT, bufferBytes, step: stepSummary,
  } as ModelSummary;
  // Not enumerable: the summary stays plain data that postMessage (structured clone) can carry to a page.
  Object.defineProperty(summary, 'toString', { value: () => summaryTable(summary), enumerable: false });
  return summary;
}

function summaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [`${l.name} ${l.type}`, `[${l.outputShape.join(', ')}]`, l.parameters.toLocaleString('en-US')]);
  const head = ['Layer', 'Output shape', 'Param #'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const out = [line(head), rule, ...rows.map(line), rule,
    `Input shape: [${s.inputShape.join(', ')}]`,
    `Parameters: ${s.parameters.toLocaleString('en-US')} (${formatBytes(s.parameterBytes)}); buffers: ${formatBytes(s.bufferBytes)}`];
  if (s.step) {
    out.push(`Compiled step: ${s.step.dispatches} dispatches, ${s.step.copies} copies, ${s.step.passes} passes; intermediates ${formatBytes(s.step.peakBytes)} (${formatBytes(s.step.naiveBytes)} without reuse)`);
  }
  return out.join('\n');
}
