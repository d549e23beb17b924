// One training or evaluation batch's metrics added into running sums, in one workgroup and one dispatch:
//   loss_sum += loss · rows,   correct += #{ r : argmax_c logits[r, c] == labels[r] }.
// argmax as the reduce kernel's: the first maximum, NaN beating every number (PyTorch's torch.argmax).
// Labels are read as u32: an i32 label < 0 becomes ≥ 2³¹ and never matches, counting as a miss.
// Workgroup w adds batch w of stacked batches (a search's trials, sharing the labels) into sums [w].
struct Params { rows: u32, classes: u32, _pad0: u32, _pad1: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_sum: array<f32>;
@group(0) @binding(4) var<storage, read_write> correct: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WG = 256u;
var<workgroup> hits: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let seg = wid.x;
  var count = 0u;
  for (var r = lid; r < p.rows; r += WG) {
    let base = (seg * p.rows + r) * p.classes;
    var best = logits[base];
    var arg = 0u;
    for (var c = 1u; c < p.classes && !is_nan(best); c++) {
      let v = logits[base + c];
      if (is_nan(v) || v > best) {
        best = v;
        arg = c;
      }
    }
    if (arg == labels[r]) { count++; }
  }
  hits[lid] = count;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { hits[lid] += hits[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    loss_sum[seg] += loss[seg] * f32(p.rows);
    correct[seg] += f32(hits[0]);
  }
}
