// y = γ·(x − μ)·s + β per element of x [N, C, S], optionally followed by ReLU.
// Training passes s = saved 1/√(σ²+ε); eval passes the running variance and s = 1/√(var + ε) here,
// so eval needs no extra per-channel buffer.
struct Params { n: u32, channels: u32, spatial: u32, eps: f32, flags: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> mean: array<f32>;
@group(0) @binding(2) var<storage, read> invstd_or_var: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

const AFFINE = 1u;
const RELU = 2u;
const FROM_VAR = 4u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  let c = (i / p.spatial) % p.channels;
  var s = invstd_or_var[c];
  if ((p.flags & FROM_VAR) != 0u) { s = inverseSqrt(s + p.eps); }
  var v = (x[i] - mean[c]) * s;
  if ((p.flags & AFFINE) != 0u) { v = v * gamma[c] + beta[c]; }
  // select, not max: max(NaN, 0) is backend-defined; ReLU passes NaN as in PyTorch.
  if ((p.flags & RELU) != 0u) { v = select(v, 0.0, v < 0.0); }
  y[i] = v;
}
