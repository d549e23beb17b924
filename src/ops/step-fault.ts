import type { BufferRange, Runtime } from '../device.js';
import { ArgumentError, WgslNNError } from '../errors.js';
import { keep, type Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import {
  FAULT_LABEL, FAULT_NON_FINITE_LOSS, labelFaultKernel, lossWatchKernel, STEP_COUNTER_WORD, STEP_FAULT_WORDS,
} from '../../kernels/step-fault.js';

/**
 * What only the GPU sees during a step is latched into one fault record per runtime (words in
 * shaders/loss-watch.wgsl): an out-of-range label given to the differentiable crossEntropy as an i32
 * tensor (every compiled step and `fit`), or a NaN/±Inf loss that `fit` watches with `stopOnNonFinite`.
 * The optimizer's update kernel reads the record and leaves parameters and state untouched while it
 * holds a fault; reading a loss (or `fit`'s metrics) reads it too and throws the fault, which clears it.
 */
interface FaultRecord {
  tensor: Tensor;
  /** Latches encoded so far (a compiled step compares it across its trace). */
  latches: number;
}

/** A watched training loss was NaN or ±Inf (`fit`'s `stopOnNonFinite`); that step's update was skipped. */
export class NonFiniteLossError extends WgslNNError {
  constructor(readonly value: number, readonly batch: number, readonly epoch: number | null = null) {
    super(`fit: the training loss is ${value} at ${epoch === null ? '' : `epoch ${epoch}, `}batch ${batch}; training stopped, that step's update was skipped, so the model holds the weights of the last step with a finite loss`);
  }
}

const records = new WeakMap<Runtime, FaultRecord>();

function recordOf(rt: Runtime): FaultRecord {
  let r = records.get(rt);
  if (!r) {
    // Created outside any trace: the record outlives compiled steps, which must not re-zero it on replay.
    const recorder = rt.recorder;
    rt.recorder = null;
    try {
      r = { tensor: keep(zeros([STEP_FAULT_WORDS], 'u32', rt)), latches: 0 };
    } finally {
      rt.recorder = recorder;
    }
    records.set(rt, r);
  }
  return r;
}

/** The fault record's buffer range, for kernels that skip work while a fault is pending (the optimizer). */
export function stepFaultBinding(rt: Runtime): BufferRange {
  return recordOf(rt).tensor.buffer('stepFault');
}

/** How many latches have been encoded on `rt` (0 when nothing was ever checked there). */
export function stepFaultLatches(rt: Runtime): number {
  return records.get(rt)?.latches ?? 0;
}

/**
 * Encodes the label latch of one cross-entropy call: `status` is its u32 [2] counter (bad labels, N − first
 * bad row), `labels` its i32 [N] labels. Recorded like any dispatch inside a compiled step.
 */
export function latchLabelFault(op: string, status: Tensor, labels: Tensor, classes: number): void {
  const rt = status.rt;
  const r = recordOf(rt);
  rt.dispatch({
    op, kernel: labelFaultKernel, workgroups: 1,
    bindings: { status: status.buffer(op), labels: labels.buffer(op), record: r.tensor.buffer(op), p: Uint32Array.of(labels.size, classes) },
  });
  r.latches++;
}

/** Counts a step and latches its loss (one element) if it is NaN or ±Inf; dispatch it before the update. */
export function watchLoss(op: string, loss: Tensor): void {
  const r = recordOf(loss.rt);
  if (loss.dtype !== 'f32' || loss.size !== 1) throw new ArgumentError(op, `the loss to watch must be one f32 value, got ${loss.dtype} [${loss.shape.join(', ')}]`);
  loss.rt.dispatch({ op, kernel: lossWatchKernel, workgroups: 1, bindings: { loss: loss.buffer(op), record: r.tensor.buffer(op) } });
  r.latches++;
  guardWithStepFault(loss);
}

/** Restarts the watched-step counter (fit: at each epoch, so a fault names the batch of its epoch). */
export function resetStepCounter(rt: Runtime): void {
  const b = recordOf(rt).tensor.buffer('stepFault');
  rt.upload('stepFault', { buffer: b.buffer, offset: b.offset + STEP_COUNTER_WORD * 4, size: 4 }, new Uint32Array(1));
}

/**
 * Throws the pending fault of `rt` and clears it; resolves when there is none. A bad label is an
 * ArgumentError naming the op, its index in the batch, its value and C; a watched loss a
 * NonFiniteLossError. One 32-byte readback.
 */
export async function checkStepFault(rt: Runtime): Promise<void> {
  const r = records.get(rt);
  if (!r || r.tensor.isDisposed) return;
  const [kind = 0, index = 0, bits = 0, classes = 0, rows = 0, count = 0] = await r.tensor.toArray();
  // A lost device's (or a null device's) record holds no result.
  if (rt.lostError) throw rt.lostError;
  if (kind === 0 || !rt.executes) return;
  rt.upload('stepFault', r.tensor.buffer('stepFault'), new Uint32Array(STEP_FAULT_WORDS));
  if (kind === FAULT_NON_FINITE_LOSS) throw new NonFiniteLossError(new Float32Array(Uint32Array.of(bits).buffer)[0]!, index);
  if (kind !== FAULT_LABEL) throw new ArgumentError('stepFault', `unknown fault kind ${kind}`);
  throw new ArgumentError('crossEntropy', `label ${bits | 0} at index ${index} is out of range [0, ${classes}) (C = ${classes}; ${count} of ${rows} labels of that batch are out of range; the parameter update of that step was skipped)`);
}

/** Makes reading `t` (toArray/item) also check the step fault record of its runtime. */
export function guardWithStepFault<T extends Tensor>(t: T): T {
  const rt = t.rt;
  t.readGuard = () => checkStepFault(rt);
  return t;
}
