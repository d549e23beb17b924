import type { BufferRange, Runtime } from '../device.js';
import { ArgumentError } from '../errors.js';
import { keep, type Tensor } from '../tensor.js';
import { zeros } from './creation.js';
import { LABEL_FAULT_WORDS, labelFaultKernel } from '../../kernels/label-fault.js';

/**
 * Out-of-range labels that only the GPU sees (an i32 tensor given to the differentiable crossEntropy, every
 * compiled step and `fit`) are latched into one fault record per runtime: the first bad label's index,
 * value and C. The optimizer's update kernel reads the record and leaves parameters and state untouched
 * while it holds a fault; reading a loss (or `fit`'s metrics) reads it too and throws the fault as an
 * ArgumentError, which clears it.
 */
interface FaultRecord {
  tensor: Tensor;
  /** Latches encoded so far (a compiled step compares it across its trace). */
  latches: number;
}

const records = new WeakMap<Runtime, FaultRecord>();

function recordOf(rt: Runtime): FaultRecord {
  let r = records.get(rt);
  if (!r) {
    // Created outside any trace: the record outlives compiled steps, which must not re-zero it on replay.
    const recorder = rt.recorder;
    rt.recorder = null;
    try {
      r = { tensor: keep(zeros([LABEL_FAULT_WORDS], 'u32', rt)), latches: 0 };
    } finally {
      rt.recorder = recorder;
    }
    records.set(rt, r);
  }
  return r;
}

/** The fault record's buffer range, for kernels that skip work while a fault is pending (the optimizer). */
export function labelFaultBinding(rt: Runtime): BufferRange {
  return recordOf(rt).tensor.buffer('labelFault');
}

/** How many latches have been encoded on `rt` (0 when GPU labels were never checked there). */
export function labelFaultLatches(rt: Runtime): number {
  return records.get(rt)?.latches ?? 0;
}

/**
 * Encodes the latch of one cross-entropy call: `status` is its u32 [2] counter (bad labels, N − first bad
 * row), `labels` its i32 [N] labels. Recorded like any dispatch inside a compiled step.
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

/**
 * Throws the pending label fault of `rt` as an ArgumentError naming the op, the index in its batch, the
 * value and C, and clears it; resolves when there is none. One 32-byte readback.
 */
export async function checkLabelFault(rt: Runtime, op = 'crossEntropy'): Promise<void> {
  const r = records.get(rt);
  if (!r || r.tensor.isDisposed) return;
  const [count = 0, index = 0, bits = 0, classes = 0, rows = 0] = await r.tensor.toArray();
  if (count === 0) return;
  rt.upload('labelFault', r.tensor.buffer('labelFault'), new Uint32Array(LABEL_FAULT_WORDS));
  const value = bits | 0;
  throw new ArgumentError(op, `label ${value} at index ${index} is out of range [0, ${classes}) (C = ${classes}; ${count} of ${rows} labels of that batch are out of range; the parameter update of that step was skipped)`);
}

/** Makes reading `t` (toArray/item) also check the label fault record of its runtime. */
export function guardWithLabelFault<T extends Tensor>(t: T): T {
  const rt = t.rt;
  t.readGuard = () => checkLabelFault(rt);
  return t;
}
