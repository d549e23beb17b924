// Latches the first out-of-range label of a cross-entropy call into the runtime's fault record, which
// later reads report and the optimizer reads to skip its update. `status` is the call's count of bad
// labels and N − (first bad row) (shaders/cross-entropy.wgsl). The first fault wins until reported.
// record: [0] bad labels in that call, [1] index of the first, [2] its value (i32 bits), [3] C, [4] N.
struct Params { rows: u32, classes: u32 }

@group(0) @binding(0) var<storage, read> status: array<u32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> record: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(1)
fn main() {
  if (status[0] == 0u || record[0] != 0u) { return; }
  let index = p.rows - status[1];
  record[0] = status[0];
  record[1] = index;
  record[2] = bitcast<u32>(labels[index]);
  record[3] = p.classes;
  record[4] = p.rows;
}
