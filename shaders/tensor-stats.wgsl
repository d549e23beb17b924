// Statistics of one tensor (or of the difference of two) in one workgroup, written into a small slot of a
// stats buffer inside a compiled training step (src/train/step-stats.ts): count, mean, population std,
// min, max, zeros, non-finite values, Σv², |v| ≥ 0.99 (saturated tanh/sigmoid), |v| ≤ 0.01, then a
// histogram of `bins` equal bins over [min, max]. Two passes over the values: mean first, so the spread is
// Σ(v − mean)² rather than Σv² − n·mean² (no cancellation). Non-finite values are counted and left out.
// 64 threads, not 256: SwiftShader compiles it 3× faster, and it runs only on requested steps.
// control[0] = 0 skips the work (the slot keeps its last values): the step computes statistics only when asked.
struct Params { n: u32, bins: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read> control: array<u32>;

// 1: statistics of x − y (a parameter's update: after − before), 0: of x (y unused).
const DIFF = false;
const WG = 64u;
const MAX_BINS = 64u;

var<workgroup> s_f: array<f32, 64>;
var<workgroup> s_g: array<f32, 64>;
var<workgroup> s_h: array<f32, 64>;
var<workgroup> s_u: array<vec4u, 64>;
var<workgroup> hist: array<atomic<u32>, 64>;

fn value(i: u32) -> f32 {
  if (DIFF) { return x[i] - y[i]; }
  return x[i];
}

fn finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  // Not an early return: the barriers below must stay in uniform control flow.
  let n = select(0u, p.n, control[0] != 0u);
  let bins = min(p.bins, MAX_BINS);
  if (lid < MAX_BINS) { atomicStore(&hist[lid], 0u); }
  var sum = 0.0;
  var lo = 3.4e38;
  var hi = -3.4e38;
  var counts = vec4u(0u); // finite, zeros, non-finite, |v| ≥ 0.99
  for (var i = lid; i < n; i += WG) {
    let v = value(i);
    if (!finite(v)) { counts.z += 1u; continue; }
    counts.x += 1u;
    sum += v;
    lo = min(lo, v);
    hi = max(hi, v);
    if (v == 0.0) { counts.y += 1u; }
    if (abs(v) >= 0.99) { counts.w += 1u; }
  }
  s_f[lid] = sum; s_g[lid] = lo; s_h[lid] = hi; s_u[lid] = counts;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_f[lid] += s_f[lid + s];
      s_g[lid] = min(s_g[lid], s_g[lid + s]);
      s_h[lid] = max(s_h[lid], s_h[lid + s]);
      s_u[lid] += s_u[lid + s];
    }
    workgroupBarrier();
  }
  let total = s_u[0];
  let count = f32(max(total.x, 1u));
  let mean = s_f[0] / count;
  let vmin = s_g[0];
  let vmax = s_h[0];
  workgroupBarrier();
  var dev = 0.0;
  var sq = 0.0;
  var small = 0u;
  let width = vmax - vmin;
  for (var i = lid; i < n; i += WG) {
    let v = value(i);
    if (!finite(v)) { continue; }
    dev += (v - mean) * (v - mean);
    sq += v * v;
    if (abs(v) <= 0.01) { small += 1u; }
    var b = 0u;
    if (width > 0.0) { b = min(u32(max((v - vmin) / width * f32(bins), 0.0)), bins - 1u); }
    atomicAdd(&hist[b], 1u);
  }
  s_f[lid] = dev; s_g[lid] = sq; s_u[lid] = vec4u(small, 0u, 0u, 0u);
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_f[lid] += s_f[lid + s];
      s_g[lid] += s_g[lid + s];
      s_u[lid] += s_u[lid + s];
    }
    workgroupBarrier();
  }
  if (n == 0u) { return; }
  if (lid == 0u) {
    out[0] = f32(total.x);
    out[1] = select(0.0, mean, total.x > 0u);
    out[2] = sqrt(s_f[0] / count);
    out[3] = select(0.0, vmin, total.x > 0u);
    out[4] = select(0.0, vmax, total.x > 0u);
    out[5] = f32(total.y);
    out[6] = f32(total.z);
    out[7] = s_g[0];
    out[8] = f32(total.w);
    out[9] = f32(s_u[0].x);
  }
  if (lid < bins) { out[10u + lid] = f32(atomicLoad(&hist[lid])); }
}
