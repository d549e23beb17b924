// Watches a training step's loss (fit's stopOnNonFinite): counts the step and latches the first NaN/±Inf
// loss into the runtime's step fault record, so the optimizer skips that step's update and the next read
// reports it. Runs before the update in the same step.
// Record words: [0] fault kind (0 none, 1 label, 2 non-finite loss), [1] label: row index, loss: step
// number (1-based since the counter was reset), [2] the label or loss bits, [3] C, [4] N, [5] bad labels
// in that call, [6] steps watched since the reset.

@group(0) @binding(0) var<storage, read> loss: array<u32>;
@group(0) @binding(1) var<storage, read_write> record: array<u32>;

const FAULT_NON_FINITE_LOSS = 2u;

@compute @workgroup_size(1)
fn main() {
  let step = record[6] + 1u;
  record[6] = step;
  let bits = loss[0];
  if (record[0] == 0u && (bits & 0x7f800000u) == 0x7f800000u) {
    record[0] = FAULT_NON_FINITE_LOSS;
    record[1] = step;
    record[2] = bits;
  }
}
