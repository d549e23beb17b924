// Latches the first out-of-range label of a cross-entropy call into the runtime's step fault record
// (src/ops/step-fault.ts), which later reads report and the optimizer reads to skip its update. `status`
// is the call's count of bad labels and N − (first bad row) (shaders/cross-entropy.wgsl). The first fault
// wins until reported. Record words: see shaders/loss-watch.wgsl.
struct Params { rows: u32, classes: u32 }

@group(0) @binding(0) var<storage, read> status: array<u32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> record: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

const FAULT_LABEL = 1u;

@compute @workgroup_size(1)
fn main() {
  if (status[0] == 0u || record[0] != 0u) { return; }
  let index = p.rows - status[1];
  record[0] = FAULT_LABEL;
  record[1] = index;
  record[2] = bitcast<u32>(labels[index]);
  record[3] = p.classes;
  record[4] = p.rows;
  record[5] = status[0];
}
