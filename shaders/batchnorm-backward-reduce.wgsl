// First backward pass, one channel per workgroup: dβ = Σdy and dγ = Σdy·x̂ over N·S, with dy masked by
// y > 0 when the forward fused a ReLU. It also packs what the elementwise pass needs per channel into
// coef = (μ, invstd, Σdy/n, Σdy·x̂/n), which keeps that pass within 8 storage bindings.
struct Params { channels: u32, spatial: u32, count: u32, relu: u32 }

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> invstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(7) var<storage, read_write> coef: array<vec4f>;
@group(0) @binding(8) var<uniform> p: Params;

const WG = 256u;
var<workgroup> w_dy: array<f32, WG>;
var<workgroup> w_dyx: array<f32, WG>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = linear_workgroup_id(wid, nwg);
  if (c >= p.channels) { return; }
  let mu = mean[c];
  let s = invstd[c];
  var sdy = 0.0;
  var sdyx = 0.0;
  for (var i = lid; i < p.count; i += WG) {
    let b = i / p.spatial;
    let k = (b * p.channels + c) * p.spatial + (i - b * p.spatial);
    var g = dy[k];
    if (p.relu != 0u && y[k] <= 0.0) { g = 0.0; }
    sdy += g;
    sdyx += g * (x[k] - mu) * s;
  }
  w_dy[lid] = sdy;
  w_dyx[lid] = sdyx;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (lid < stride) {
      w_dy[lid] += w_dy[lid + stride];
      w_dyx[lid] += w_dyx[lid + stride];
    }
  }
  if (lid == 0u) {
    dbeta[c] = w_dy[0];
    dgamma[c] = w_dyx[0];
    let n = f32(p.count);
    coef[c] = vec4f(mu, s, w_dy[0] / n, w_dyx[0] / n);
  }
}
