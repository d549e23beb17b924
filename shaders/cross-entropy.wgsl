// Softmax cross-entropy from logits [N, C] with integer labels, one row per workgroup, loss and
// gradient in the same pass (both need the row's max and Σexp; a separate gradient kernel would
// recompute them). Label smoothing ε follows PyTorch: target q = (1 − ε)·onehot(y) + ε/C, so
//   loss = logsumexp(z) − Σ q·z = (1 − ε)·(m − z_y) + ε·(m − mean(z)) + log Σexp(z − m),
// a sum of non-negative terms (no cancellation), and ∂loss/∂z = softmax(z) − q.
// The gradient is scaled by `scale` (1/N for 'mean') times the upstream gradient dloss (none, one
// scalar, or one value per row). A label outside [0, C) makes the row's loss and gradient NaN and is
// recorded in `status`: [0] counts bad rows, [1] = N − (first bad row) via atomicMax (N: label_rows), so the
// zero-filled buffer needs no sentinel.
// Rows may be several batches stacked (a search's trials: one batch per trial, same labels): row r reads
// label r mod label_rows, and only the first batch's rows count into `status`.
// Edges follow PyTorch: the smoothing term is skipped when ε = 0 (a −Inf logit would make it 0·∞), mean(z)
// is summed as z/C (Σz overflows for logits near ±3e38), and a row with NaN or +Inf is all NaN.
struct Params { rows: u32, classes: u32, smoothing: f32, scale: f32, dloss_mode: u32, outputs: u32, label_rows: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(6) var<uniform> p: Params;

const WG = 128u;
const WRITE_LOSS = 1u;
const WRITE_GRAD = 2u;
const DLOSS_SCALAR = 1u;
const DLOSS_PER_ROW = 2u;
// Identity of max that stays finite, so exp(identity − m) is 0 rather than NaN.
const LOWEST = -3.4028234e38;

// A NaN constant is a shader-creation error in WGSL, so NaN is made from bits at run time.
var<private> nan_bits: u32 = 0x7fc00000u;

var<workgroup> w_max: array<f32, WG>;
var<workgroup> w_sum: array<f32, WG>;
var<workgroup> w_z: array<f32, WG>;
var<workgroup> w_bad: array<u32, WG>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = linear_workgroup_id(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.classes;
  // Online softmax normaliser: (running max, Σexp(z − max)) per thread, rescaled when the max grows.
  var m = LOWEST;
  var s = 0.0;
  var zmean = 0.0;
  var bad = 0u;
  let inv_c = 1.0 / f32(p.classes);
  for (var j = lid; j < p.classes; j += WG) {
    let z = logits[base + j];
    if (z > m) { s = s * exp(m - z) + 1.0; m = z; } else { s += exp(z - m); }
    // NaN, or +Inf (PyTorch's x − max is inf − inf there), makes the whole row NaN: flagged, not left to
    // NaN arithmetic, which some backends (SwiftShader) do not propagate through 0·NaN.
    if (is_nan(z) || z > 3.4028234e38) { bad = 1u; }
    zmean += z * inv_c;
  }
  w_max[lid] = m;
  w_sum[lid] = s;
  w_z[lid] = zmean;
  w_bad[lid] = bad;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (lid < stride) {
      let ma = w_max[lid];
      let mb = w_max[lid + stride];
      let mm = max(ma, mb);
      w_sum[lid] = w_sum[lid] * exp(ma - mm) + w_sum[lid + stride] * exp(mb - mm);
      w_max[lid] = mm;
      w_z[lid] += w_z[lid + stride];
      w_bad[lid] = max(w_bad[lid], w_bad[lid + stride]);
    }
  }
  workgroupBarrier();
  let rmax = w_max[0];
  let row_nan = w_bad[0] != 0u;
  let rsum = select(w_sum[0], quiet_nan(w_sum[0]), row_nan);
  let label = labels[row % p.label_rows];
  let valid = label >= 0 && u32(label) < p.classes;
  let nan = bitcast<f32>(nan_bits);
  if (!valid && lid == 0u && row < p.label_rows) {
    atomicAdd(&status[0], 1u);
    atomicMax(&status[1], p.label_rows - row);
  }
  let eps = p.smoothing;
  let c = f32(p.classes);
  if ((p.outputs & WRITE_LOSS) != 0u && lid == 0u) {
    var l = nan;
    if (valid) {
      let zy = logits[base + u32(label)];
      l = (1.0 - eps) * (rmax - zy) + log(rsum);
      if (eps > 0.0) { l += eps * (rmax - w_z[0]); }
      if (row_nan) { l = rsum; }
    }
    loss[row] = l;
  }
  if ((p.outputs & WRITE_GRAD) != 0u) {
    var k = p.scale;
    if (p.dloss_mode == DLOSS_SCALAR) { k *= dloss[0]; }
    if (p.dloss_mode == DLOSS_PER_ROW) { k *= dloss[row]; }
    if (!valid || row_nan) { k = nan; }
    let inv = 1.0 / rsum;
    for (var j = lid; j < p.classes; j += WG) {
      var q = eps / c;
      if (i32(j) == label) { q += 1.0 - eps; }
      grad[base + j] = select((exp(logits[base + j] - rmax) * inv - q) * k, k, row_nan || !valid);
    }
  }
}
