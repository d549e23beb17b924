// out[0] = (accumulate ? out[0] : 0) + scale·Σ f(x), f(x) = x or x², in one workgroup: turns per-row
// losses into the 'mean'/'sum' scalar and sums λ·ΣW² over several parameters (one dispatch each,
// accumulating) without a CPU round trip. One workgroup suffices for batch-sized inputs; for
// million-element parameters it is slow but only feeds the loss value, never the gradient.
// Workgroup w reduces x[w·n, (w + 1)·n) into out[w]: several workgroups reduce stacked batches (a search's
// trials) each exactly as one workgroup reduces one.
struct Params { n: u32, scale: f32, square: u32, accumulate: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const WG = 256u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let seg = wid.x;
  var acc = 0.0;
  for (var i = lid; i < p.n; i += WG) {
    let v = x[seg * p.n + i];
    acc += select(v, v * v, p.square != 0u);
  }
  partial[lid] = acc;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
  }
  if (lid == 0u) {
    var total = p.scale * partial[0];
    if (p.accumulate != 0u) { total += out[seg]; }
    out[seg] = total;
  }
}
